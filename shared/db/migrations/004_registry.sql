-- The electronic registry (registratura): registers per institution, one
-- gapless counter per register and calendar year, and the entries.
-- Numbering (Law 16/1996): per register and year, from 1, unique, without
-- gaps, increasing with registration time. Nothing registered is deleted.

CREATE TABLE register (
  institution_id uuid NOT NULL REFERENCES institution (id),
  id             uuid NOT NULL,
  code           text NOT NULL,
  name           text NOT NULL,
  -- incoming, outgoing, internal, or another the administrator defines
  -- (for example the local official gazette).
  kind           text NOT NULL CHECK (kind IN ('incoming', 'outgoing', 'internal', 'other')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  closed_at      timestamptz,
  PRIMARY KEY (institution_id, id),
  UNIQUE (institution_id, code)
);
CALL enable_tenant_isolation('register');
GRANT SELECT, INSERT, UPDATE ON register TO ghiseu_app;

-- The last number given in a register-year. Incremented in the same
-- transaction that inserts the entry: a rolled-back registration gives
-- its number back, and concurrent ones queue on this one row, in order.
CREATE TABLE register_counter (
  institution_id uuid NOT NULL,
  register_id    uuid NOT NULL,
  year           integer NOT NULL,
  last_number    bigint NOT NULL,
  PRIMARY KEY (institution_id, register_id, year),
  FOREIGN KEY (institution_id, register_id) REFERENCES register (institution_id, id)
);
CALL enable_tenant_isolation('register_counter');
GRANT SELECT, INSERT, UPDATE ON register_counter TO ghiseu_app;

CREATE TABLE registry_entry (
  institution_id   uuid NOT NULL,
  register_id      uuid NOT NULL,
  year             integer NOT NULL,
  number           bigint NOT NULL CHECK (number > 0),
  id               uuid NOT NULL,
  registered_at    timestamptz NOT NULL,
  direction        text NOT NULL CHECK (direction IN ('incoming', 'outgoing', 'internal')),
  channel          text NOT NULL CHECK (channel IN ('counter', 'portal', 'email', 'post', 'institution_system', 'internal')),
  sender           text NOT NULL DEFAULT '',
  recipient        text NOT NULL DEFAULT '',
  subject          text NOT NULL,
  pages            integer NOT NULL DEFAULT 0 CHECK (pages >= 0),
  attachments      integer NOT NULL DEFAULT 0 CHECK (attachments >= 0),
  confidentiality  text NOT NULL DEFAULT 'public' CHECK (confidentiality IN ('public', 'internal', 'confidential')),
  -- The entry this one answers (an outgoing answer takes the incoming one's
  -- reference) or is linked to (conexare).
  answers_entry    uuid,
  registered_by    uuid REFERENCES account (id),
  annulled_at      timestamptz,
  annulled_by      uuid REFERENCES account (id),
  annul_reason     text,
  PRIMARY KEY (institution_id, register_id, year, number),
  UNIQUE (institution_id, id),
  FOREIGN KEY (institution_id, register_id) REFERENCES register (institution_id, id),
  CHECK ((annulled_at IS NULL) = (annul_reason IS NULL))
);
CREATE INDEX registry_entry_registered_at ON registry_entry (institution_id, registered_at);
CALL enable_tenant_isolation('registry_entry');
GRANT SELECT, INSERT ON registry_entry TO ghiseu_app;
GRANT UPDATE (annulled_at, annulled_by, annul_reason) ON registry_entry TO ghiseu_app;

-- Nothing registered is ever deleted, whoever asks: an entry is annulled
-- instead, and keeps its number.
CREATE FUNCTION refuse_registry_delete() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
  RAISE EXCEPTION 'registry entries are never deleted: annul the entry instead'
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER registry_entry_no_delete BEFORE DELETE ON registry_entry
  FOR EACH ROW EXECUTE FUNCTION refuse_registry_delete();
CREATE TRIGGER registry_entry_no_truncate BEFORE TRUNCATE ON registry_entry
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_registry_delete();

---- create above / drop below ----

DROP TABLE registry_entry;
DROP FUNCTION refuse_registry_delete();
DROP TABLE register_counter;
DROP TABLE register;
