-- Documents: the metadata, versions and checksums of files whose bytes live
-- in object storage (S3), content-addressed by SHA-256 under the
-- institution's prefix. A document belongs to a registry entry; its
-- versions are immutable and numbered from 1.

CREATE TABLE document (
  institution_id uuid NOT NULL,
  id             uuid NOT NULL,
  entry_id       uuid NOT NULL,
  title          text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  created_by     uuid REFERENCES account (id),
  PRIMARY KEY (institution_id, id),
  FOREIGN KEY (institution_id, entry_id) REFERENCES registry_entry (institution_id, id)
);
CREATE INDEX document_entry ON document (institution_id, entry_id);
CALL enable_tenant_isolation('document');
-- UPDATE (title) renames a document; it also lets AddVersion lock the
-- document row (SELECT ... FOR UPDATE needs an UPDATE privilege) so that
-- concurrent versions of one document are numbered one after the other.
GRANT SELECT, INSERT ON document TO ghiseu_app;
GRANT UPDATE (title) ON document TO ghiseu_app;

-- One immutable version of a document. sha256 and size are computed on the
-- way into object storage; media_type is sniffed from the bytes, never taken
-- from the client; original_name is the sanitised name the client gave.
-- Several versions (of any document of the institution) may share one
-- object: object_key is derived from sha256.
CREATE TABLE document_version (
  institution_id uuid NOT NULL,
  document_id    uuid NOT NULL,
  version        integer NOT NULL CHECK (version >= 1),
  sha256         text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size           bigint NOT NULL CHECK (size > 0),
  media_type     text NOT NULL,
  original_name  text NOT NULL CHECK (original_name <> '' AND char_length(original_name) <= 200),
  object_key     text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  created_by     uuid REFERENCES account (id),
  PRIMARY KEY (institution_id, document_id, version),
  FOREIGN KEY (institution_id, document_id) REFERENCES document (institution_id, id)
);
-- The fixity and garbage-collection jobs look versions up by content.
CREATE INDEX document_version_sha256 ON document_version (institution_id, sha256);
CALL enable_tenant_isolation('document_version');
GRANT SELECT, INSERT ON document_version TO ghiseu_app;

-- Versions are immutable, whoever asks (the owner and superusers included):
-- a correction is a new version.
CREATE FUNCTION refuse_document_version_change() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
  RAISE EXCEPTION 'document versions are immutable: add a new version instead'
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER document_version_immutable BEFORE UPDATE OR DELETE ON document_version
  FOR EACH ROW EXECUTE FUNCTION refuse_document_version_change();
CREATE TRIGGER document_version_no_truncate BEFORE TRUNCATE ON document_version
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_document_version_change();

---- create above / drop below ----

DROP TABLE document_version;
DROP FUNCTION refuse_document_version_change();
DROP TABLE document;
