-- The audit trail: one row per audited act (every change, every read of
-- personal data), appended in the transaction of the act itself.
--
-- Each institution has its own chain; acts not tied to an institution (a
-- citizen's own account, platform jobs) go to the platform chain, institution
-- 00000000-0000-0000-0000-000000000000. Within a chain seq is gapless from 1
-- and every row carries the hash of the previous one, so a changed, removed
-- or reordered row shows (package audit computes and verifies the hashes).

CREATE TABLE audit_log (
  institution_id uuid NOT NULL,
  seq            bigint NOT NULL CHECK (seq > 0),
  occurred_at    timestamptz NOT NULL,
  -- Null: the system acted, nobody in particular.
  actor_id       uuid,
  actor_kind     text NOT NULL CHECK (actor_kind IN ('citizen', 'staff', 'machine', 'system')),
  on_behalf_of   uuid,
  action         text NOT NULL CHECK (action <> ''),
  object_type    text NOT NULL DEFAULT '',
  object_id      text NOT NULL DEFAULT '',
  ip             inet,
  old_value      jsonb,
  new_value      jsonb,
  reason         text NOT NULL DEFAULT '',
  -- Empty in the first row of a chain.
  prev_hash      bytea NOT NULL,
  hash           bytea NOT NULL,
  PRIMARY KEY (institution_id, seq),
  CHECK ((actor_kind = 'system') = (actor_id IS NULL))
);
-- The auditors' filters, each within one chain; seq last so a filtered list
-- pages by seq straight from the index.
CREATE INDEX audit_log_occurred ON audit_log (institution_id, occurred_at);
CREATE INDEX audit_log_actor ON audit_log (institution_id, actor_id, seq);
CREATE INDEX audit_log_object ON audit_log (institution_id, object_type, object_id, seq);

-- The head of each chain. Append bumps last_seq with INSERT ... ON CONFLICT
-- DO UPDATE, which locks this one row until the appending transaction ends:
-- appends to one chain are serialised and gapless (a rollback takes its seq
-- back with it) while different chains never wait on each other. last_hash
-- also lets the verifier notice rows removed from the end of a chain.
CREATE TABLE audit_chain (
  institution_id uuid PRIMARY KEY,
  last_seq       bigint NOT NULL,
  last_hash      bytea NOT NULL
);

-- Append-only for everyone, the owner included. An owner can still disable
-- the trigger; the hash chain is what makes that visible.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS
$$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- Row-level security, written out rather than enable_tenant_isolation: a
-- tenant transaction appends to its own chain and to the platform chain
-- (acts not tied to an institution happen in any scope), but reads only its
-- own institution's rows; platform scope reads everything. Append never uses
-- RETURNING on audit_log, which would need the SELECT policy to pass too.
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_read ON audit_log FOR SELECT
  USING (platform_scope() OR institution_id = current_institution());
CREATE POLICY audit_log_append ON audit_log FOR INSERT
  WITH CHECK (platform_scope() OR institution_id = current_institution()
              OR institution_id = '00000000-0000-0000-0000-000000000000');

-- Appending reads and updates the head (ON CONFLICT DO UPDATE ... RETURNING
-- needs SELECT and UPDATE), so the same chains are open for all of those.
-- The platform chain's head is thus visible to a tenant: a count and a hash.
ALTER TABLE audit_chain ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_chain FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_chain_append ON audit_chain
  USING (platform_scope() OR institution_id = current_institution()
         OR institution_id = '00000000-0000-0000-0000-000000000000')
  WITH CHECK (platform_scope() OR institution_id = current_institution()
              OR institution_id = '00000000-0000-0000-0000-000000000000');

GRANT SELECT, INSERT ON audit_log TO ghiseu_app;
GRANT SELECT, INSERT ON audit_chain TO ghiseu_app;
GRANT UPDATE (last_seq, last_hash) ON audit_chain TO ghiseu_app;

---- create above / drop below ----

DROP TABLE audit_chain;
DROP TABLE audit_log;
DROP FUNCTION audit_log_refuse_change();
