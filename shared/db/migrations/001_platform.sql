-- The platform's plumbing: the application role, tenant scoping for
-- row-level security, the transactional outbox, the consumers' inbox and
-- the dead-letter store.

-- Functions connect as ghiseu_app (or a login role that is a member of it).
-- It owns no table, so row-level security always applies to it. In a cluster
-- the operator (CloudNativePG managed roles) creates it with LOGIN.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ghiseu_app') THEN
    CREATE ROLE ghiseu_app NOLOGIN;
  END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO ghiseu_app;

-- The institution a transaction acts for, set by db.TenantTx.
CREATE FUNCTION current_institution() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT nullif(current_setting('ghiseu.institution_id', true), '')::uuid $$;

-- True in transactions of platform jobs (db.PlatformTx), which see every tenant.
CREATE FUNCTION platform_scope() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT coalesce(current_setting('ghiseu.scope', true), '') = 'platform' $$;

-- enable_tenant_isolation puts a tenant-owned table (one with institution_id)
-- under the standard policy: a transaction sees and writes only the rows of
-- its institution, or every row in platform scope. FORCE makes it hold for the
-- table owner too, so a migration or tool running as owner cannot leak either.
CREATE PROCEDURE enable_tenant_isolation(tbl regclass)
LANGUAGE plpgsql AS
$$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
  EXECUTE format(
    'CREATE POLICY tenant_isolation ON %s USING (platform_scope() OR institution_id = current_institution()) '
    'WITH CHECK (platform_scope() OR institution_id = current_institution())', tbl);
END
$$;

-- Events written in the same transaction as the state change they announce,
-- published after commit (and by outbox-relay for whatever was left).
-- institution_id is null for platform events.
CREATE TABLE outbox (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  institution_id  uuid,
  event_id        text NOT NULL,
  event_type      text NOT NULL,
  event_source    text NOT NULL,
  event           jsonb NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  sent_at         timestamptz,
  UNIQUE (event_source, event_id)
);
-- The relay's work list: only unsent rows, in the order they are due.
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE sent_at IS NULL;
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;
CALL enable_tenant_isolation('outbox');
GRANT SELECT, INSERT, DELETE ON outbox TO ghiseu_app;
GRANT UPDATE (attempts, next_attempt_at, last_error, sent_at) ON outbox TO ghiseu_app;

-- What each consumer has already done, recorded in the same transaction as
-- its effect, so a redelivered event does nothing the second time.
CREATE TABLE inbox (
  consumer     text NOT NULL,
  event_source text NOT NULL,
  event_id     text NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_source, event_id)
);
CREATE INDEX inbox_received_at ON inbox (received_at);
GRANT SELECT, INSERT, DELETE ON inbox TO ghiseu_app;

-- Events that a subscriber kept refusing, as the Broker hands them to its
-- dead-letter sink, kept for an operator to inspect and replay.
CREATE TABLE dead_letter (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  institution_id uuid,
  event_id       text NOT NULL,
  event_type     text NOT NULL,
  event_source   text NOT NULL,
  event          jsonb NOT NULL,
  error_dest     text NOT NULL DEFAULT '',
  error_code     integer,
  error_data     text,
  received_at    timestamptz NOT NULL DEFAULT now(),
  replay_count   integer NOT NULL DEFAULT 0,
  replayed_at    timestamptz
);
CREATE INDEX dead_letter_pending ON dead_letter (received_at, id) WHERE replayed_at IS NULL;
CALL enable_tenant_isolation('dead_letter');
GRANT SELECT, INSERT ON dead_letter TO ghiseu_app;
GRANT UPDATE (replay_count, replayed_at) ON dead_letter TO ghiseu_app;

---- create above / drop below ----

DROP TABLE dead_letter;
DROP TABLE inbox;
DROP TABLE outbox;
DROP PROCEDURE enable_tenant_isolation(regclass);
DROP FUNCTION platform_scope();
DROP FUNCTION current_institution();
