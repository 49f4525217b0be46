-- One registration in one hot register, done the way registry.Record does it
-- inside db.TenantTx, statement for statement, for pgbench:
--
--   pgbench -n -M prepared -f registration.sql -D inst=<institution> -D reg=<register> ...
--
-- -M prepared because pgx (the platform's driver) prepares each statement
-- once per connection and then sends only Bind/Execute: the same protocol,
-- the same round trips (seven per registration on both sides). With it the
-- :variables below become parameters whose types the server infers, as it
-- does for pgx's $n, so the SQL text is Record's.

-- A registration's client-side values. Record draws its verification code
-- (50 random bits) and the entry's id in Go; pgbench has no string
-- functions, so the code is a 50-bit number and the id comes from the
-- server's gen_random_uuid().
\set pages random(1, 12)
\set code random(0, 1125899906842623)

-- pgx.BeginFunc sends a plain BEGIN.
BEGIN;

-- db.ScopedTx: the tenant for row-level security, for this transaction only.
SELECT set_config('ghiseu.institution_id', :inst, true), set_config('ghiseu.account_id', '', true);

-- Record: the register exists (for this tenant) and is open.
SELECT closed_at FROM register WHERE institution_id = :inst AND id = :reg;

-- Record: the number. The increment locks the register-year's counter row
-- until COMMIT; this is where concurrent registrations queue. The
-- coalesce(NULL, ...) is Record's "at" parameter left zero: now.
INSERT INTO register_counter AS c (institution_id, register_id, year, last_number)
	SELECT :inst, :reg, extract(year FROM coalesce(NULL::timestamptz, clock_timestamp()) AT TIME ZONE i.time_zone)::int, 1
	FROM institution i WHERE i.id = :inst
	ON CONFLICT (institution_id, register_id, year) DO UPDATE SET last_number = c.last_number + 1
	RETURNING year, last_number AS number
\gset

-- Record: the registration time, read while holding the counter.
SELECT t AS registered_at, extract(year FROM t AT TIME ZONE i.time_zone)::int AS now_year
	FROM (SELECT coalesce(NULL::timestamptz, clock_timestamp()) AS t) now, institution i WHERE i.id = :inst
\gset

-- Record: midnight of 31 December passed while waiting for the counter:
-- give the number back (Record returns ErrYearChanged and the caller rolls
-- back and registers again).
\if :now_year != :year
ROLLBACK;
\else
-- Record: the entry, with the values a counter registration has (no file,
-- no linked entry, no party account).
INSERT INTO registry_entry (institution_id, register_id, year, number, id, registered_at, direction, channel,
		sender, recipient, subject, pages, attachments, confidentiality, answers_entry, registered_by,
		file_id, party_account_id, verification_code)
	VALUES (:inst, :reg, :year, :number, gen_random_uuid(), :registered_at, 'incoming', 'counter',
		'Ion Popescu', '', 'Cerere de informații publice conform Legii 544/2001', :pages, 0, 'public', NULL, NULL,
		NULL, NULL, :code);
COMMIT;
\endif
