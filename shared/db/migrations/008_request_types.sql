-- Request types: what a citizen may ask an institution online. Each type
-- is versioned; a version is a draft until published, and immutable after:
-- a submitted request keeps the version it was made with.

CREATE TABLE request_type (
  institution_id uuid NOT NULL REFERENCES institution (id),
  id             uuid NOT NULL,
  code           text NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  created_at     timestamptz NOT NULL DEFAULT now(),
  -- A withdrawn type is no longer offered; its requests stay.
  withdrawn_at   timestamptz,
  PRIMARY KEY (institution_id, id),
  UNIQUE (institution_id, code)
);
CALL enable_tenant_isolation('request_type');
-- The catalogue is public: anyone may read what can be asked.
CREATE POLICY request_type_read ON request_type FOR SELECT USING (true);
GRANT SELECT, INSERT ON request_type TO ghiseu_app;
GRANT UPDATE (withdrawn_at) ON request_type TO ghiseu_app;

CREATE TABLE request_type_version (
  institution_id  uuid NOT NULL,
  type_id         uuid NOT NULL,
  version         integer NOT NULL CHECK (version >= 1),
  name            text NOT NULL CHECK (name <> '' AND char_length(name) <= 200),
  description     text NOT NULL DEFAULT '' CHECK (char_length(description) <= 5000),
  -- The form, a JSON Schema (package forms checks it before it is stored).
  form            jsonb NOT NULL,
  -- The kinds of attachments: [{"kind", "title", "required", "mediaTypes", "maxSize"}].
  attachments     jsonb NOT NULL DEFAULT '[]',
  department_id   uuid NOT NULL,
  -- The legal regime of the answer's deadline (package deadlines).
  regime          text NOT NULL CHECK (regime IN ('petition', 'public_information', 'custom')),
  custom_days     integer CHECK (custom_days BETWEEN 1 AND 365),
  working_days    boolean NOT NULL DEFAULT false,
  register_id     uuid NOT NULL,
  -- Whether the applicant must have a verified identity (a CNP or CUI).
  verified_identity boolean NOT NULL DEFAULT true,
  created_at      timestamptz NOT NULL DEFAULT now(),
  created_by      uuid REFERENCES account (id),
  published_at    timestamptz,
  published_by    uuid REFERENCES account (id),
  PRIMARY KEY (institution_id, type_id, version),
  FOREIGN KEY (institution_id, type_id) REFERENCES request_type (institution_id, id),
  FOREIGN KEY (institution_id, department_id) REFERENCES department (institution_id, id),
  FOREIGN KEY (institution_id, register_id) REFERENCES register (institution_id, id),
  CHECK ((regime = 'custom') = (custom_days IS NOT NULL)),
  CHECK (regime = 'custom' OR NOT working_days),
  CHECK (published_by IS NULL OR published_at IS NOT NULL)
);
-- The published catalogue: the newest published version of each type.
CREATE INDEX request_type_version_published ON request_type_version (institution_id, type_id, version DESC)
  WHERE published_at IS NOT NULL;
CALL enable_tenant_isolation('request_type_version');
CREATE POLICY request_type_version_read ON request_type_version FOR SELECT USING (published_at IS NOT NULL);
GRANT SELECT, INSERT ON request_type_version TO ghiseu_app;
GRANT UPDATE (name, description, form, attachments, department_id, regime, custom_days, working_days, register_id,
              verified_identity, published_at, published_by) ON request_type_version TO ghiseu_app;

-- A published version never changes, whoever asks: a change is a new version.
CREATE FUNCTION refuse_published_version_change() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.published_at IS NOT NULL THEN
      RAISE EXCEPTION 'a published request type version is never deleted' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.published_at IS NOT NULL THEN
    RAISE EXCEPTION 'a published request type version is immutable: make a new version' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER request_type_version_immutable BEFORE UPDATE OR DELETE ON request_type_version
  FOR EACH ROW EXECUTE FUNCTION refuse_published_version_change();

---- create above / drop below ----

DROP TABLE request_type_version;
DROP FUNCTION refuse_published_version_change();
DROP TABLE request_type;
