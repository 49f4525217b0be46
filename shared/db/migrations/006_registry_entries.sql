-- The registry, second part: who may register in which register, the
-- filing plan (nomenclator arhivistic), versioned corrections of entries,
-- receipts' verification codes, the citizen an entry concerns, and Romanian
-- full-text search over entries and the text of their documents.

-- unaccent is a trusted extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;

-- Romanian search, diacritics-insensitive: words lose their diacritics,
-- then go through the Romanian stemmer.
CREATE TEXT SEARCH CONFIGURATION ghiseu_ro (COPY = pg_catalog.romanian);
ALTER TEXT SEARCH CONFIGURATION ghiseu_ro
  ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, pg_catalog.romanian_stem;

-- The stemmer works best on words with their diacritics ("autorizației"
-- stems to "autorizaț", but "autorizatiei" to "autoriz"), and people type
-- queries with or without them. So a text is indexed under both
-- normalisations (unaccent then stem, and stem then unaccent), and a query
-- matches if it matches under either. The dictionary is named explicitly,
-- which makes unaccent safe to declare IMMUTABLE (a generated column needs it).
CREATE FUNCTION ghiseu_search_vector(t text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS
$$ SELECT to_tsvector('public.ghiseu_ro'::regconfig, t)
       || public.unaccent('public.unaccent'::regdictionary, to_tsvector('pg_catalog.romanian'::regconfig, t)::text)::tsvector $$;

-- A query as people type it (words, "phrases", -exclusions, or).
CREATE FUNCTION ghiseu_search_query(q text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS
$$ SELECT websearch_to_tsquery('public.ghiseu_ro'::regconfig, q)
       || public.unaccent('public.unaccent'::regdictionary, websearch_to_tsquery('pg_catalog.romanian'::regconfig, q)::text)::tsquery $$;

-- Registers can be restricted to the registrars of some departments (the
-- local official gazette, to the secretary general's office). A register
-- with no row here is open to everyone who may register in the institution.
CREATE TABLE register_department (
  institution_id uuid NOT NULL,
  register_id    uuid NOT NULL,
  department_id  uuid NOT NULL,
  PRIMARY KEY (institution_id, register_id, department_id),
  FOREIGN KEY (institution_id, register_id) REFERENCES register (institution_id, id),
  FOREIGN KEY (institution_id, department_id) REFERENCES department (institution_id, id)
);
CALL enable_tenant_isolation('register_department');
GRANT SELECT, INSERT, DELETE ON register_department TO ghiseu_app;

ALTER TABLE register ADD COLUMN description text NOT NULL DEFAULT '';
GRANT UPDATE (name, description, closed_at) ON register TO ghiseu_app;

-- The filing plan: per institution and year, the files (dosare) documents
-- are grouped into, each with its indicator, title, retention period and
-- the department that keeps it. A closed file takes no more entries and
-- goes to the archive with its inventory.
CREATE TABLE filing_file (
  institution_id uuid NOT NULL REFERENCES institution (id),
  id             uuid NOT NULL,
  year           integer NOT NULL CHECK (year BETWEEN 1990 AND 9999),
  indicator      text NOT NULL CHECK (indicator <> '' AND char_length(indicator) <= 40),
  title          text NOT NULL CHECK (title <> '' AND char_length(title) <= 500),
  -- Years (Law 16/1996 and the national archives' instructions), or permanent.
  retention      text NOT NULL CHECK (retention IN ('1', '3', '5', '10', '30', '50', '100', 'permanent')),
  department_id  uuid NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  created_by     uuid REFERENCES account (id),
  closed_at      timestamptz,
  closed_by      uuid REFERENCES account (id),
  PRIMARY KEY (institution_id, id),
  UNIQUE (institution_id, year, indicator),
  FOREIGN KEY (institution_id, department_id) REFERENCES department (institution_id, id),
  CHECK ((closed_at IS NULL) = (closed_by IS NULL))
);
CALL enable_tenant_isolation('filing_file');
GRANT SELECT, INSERT ON filing_file TO ghiseu_app;
GRANT UPDATE (title, retention, department_id, closed_at, closed_by) ON filing_file TO ghiseu_app;

-- Entries: the file they are filed into, the citizen or company account
-- they concern (set by the portal; lets that account see its own entry and
-- receipt), the receipt's verification code, the revision of their
-- correctable metadata, and the search vectors.
ALTER TABLE registry_entry
  ADD COLUMN file_id uuid,
  ADD COLUMN party_account_id uuid REFERENCES account (id),
  ADD COLUMN verification_code text NOT NULL DEFAULT '',
  ADD COLUMN revision integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
  ADD COLUMN updated_at timestamptz,
  ADD COLUMN updated_by uuid REFERENCES account (id),
  ADD COLUMN search tsvector GENERATED ALWAYS AS
    (ghiseu_search_vector(subject || ' ' || sender || ' ' || recipient)) STORED,
  -- The text of the entry's documents (PDFs), added as versions arrive.
  ADD COLUMN content_search tsvector NOT NULL DEFAULT '',
  ADD FOREIGN KEY (institution_id, file_id) REFERENCES filing_file (institution_id, id),
  ADD FOREIGN KEY (institution_id, answers_entry) REFERENCES registry_entry (institution_id, id);
CREATE INDEX registry_entry_search ON registry_entry USING gin (search);
CREATE INDEX registry_entry_content_search ON registry_entry USING gin (content_search);
CREATE INDEX registry_entry_file ON registry_entry (institution_id, file_id) WHERE file_id IS NOT NULL;
CREATE INDEX registry_entry_party ON registry_entry (party_account_id) WHERE party_account_id IS NOT NULL;
CREATE INDEX registry_entry_answers ON registry_entry (institution_id, answers_entry) WHERE answers_entry IS NOT NULL;
-- Keyset pagination by registration time, newest first.
CREATE INDEX registry_entry_recent ON registry_entry (institution_id, registered_at DESC, id DESC);
GRANT UPDATE (sender, recipient, subject, pages, attachments, confidentiality, answers_entry, file_id,
              revision, updated_at, updated_by, content_search) ON registry_entry TO ghiseu_app;
-- Policies add up: a citizen (acting for itself) sees the entries that concern it.
CREATE POLICY registry_entry_party ON registry_entry FOR SELECT USING (party_account_id = current_account());
-- ... and the registers of those entries (its receipt names the register).
CREATE POLICY register_party ON register FOR SELECT USING (EXISTS (
  SELECT FROM registry_entry e
  WHERE e.institution_id = register.institution_id AND e.register_id = register.id
    AND e.party_account_id = current_account()));

-- Number, register, year, time and direction never change; what a
-- correction may change is granted above, and each correction keeps the
-- values it replaced here (and in the audit trail).
CREATE TABLE registry_entry_revision (
  institution_id uuid NOT NULL,
  entry_id       uuid NOT NULL,
  revision       integer NOT NULL CHECK (revision >= 1),
  changed_at     timestamptz NOT NULL DEFAULT now(),
  changed_by     uuid REFERENCES account (id),
  reason         text NOT NULL CHECK (reason <> ''),
  -- The correctable fields as they were before this revision, and after.
  before         jsonb NOT NULL,
  after          jsonb NOT NULL,
  PRIMARY KEY (institution_id, entry_id, revision),
  FOREIGN KEY (institution_id, entry_id) REFERENCES registry_entry (institution_id, id)
);
CALL enable_tenant_isolation('registry_entry_revision');
GRANT SELECT, INSERT ON registry_entry_revision TO ghiseu_app;
CREATE TRIGGER registry_entry_revision_no_delete BEFORE UPDATE OR DELETE ON registry_entry_revision
  FOR EACH ROW EXECUTE FUNCTION refuse_registry_delete();

-- The text extracted from a version (PDFs), capped, for search. Set when
-- the version is inserted, like every other column of an immutable version.
ALTER TABLE document_version ADD COLUMN text text NOT NULL DEFAULT '';

-- Whatever path adds a version, its text becomes searchable on its entry.
-- SECURITY INVOKER: row-level security applies as to the inserting caller.
CREATE FUNCTION index_document_version_text() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
  UPDATE registry_entry e SET content_search = e.content_search || ghiseu_search_vector(NEW.text)
  FROM document d
  WHERE d.institution_id = NEW.institution_id AND d.id = NEW.document_id
    AND e.institution_id = d.institution_id AND e.id = d.entry_id;
  RETURN NULL;
END
$$;
CREATE TRIGGER document_version_index_text AFTER INSERT ON document_version
  FOR EACH ROW WHEN (NEW.text <> '') EXECUTE FUNCTION index_document_version_text();

---- create above / drop below ----

DROP TRIGGER document_version_index_text ON document_version;
DROP FUNCTION index_document_version_text();
ALTER TABLE document_version DROP COLUMN text;
DROP TABLE registry_entry_revision;
DROP POLICY register_party ON register;
DROP POLICY registry_entry_party ON registry_entry;
ALTER TABLE registry_entry
  DROP COLUMN content_search, DROP COLUMN search, DROP COLUMN updated_by, DROP COLUMN updated_at,
  DROP COLUMN revision, DROP COLUMN verification_code, DROP COLUMN party_account_id, DROP COLUMN file_id;
ALTER TABLE registry_entry DROP CONSTRAINT IF EXISTS registry_entry_institution_id_answers_entry_fkey;
DROP TABLE filing_file;
ALTER TABLE register DROP COLUMN description;
DROP TABLE register_department;
DROP FUNCTION ghiseu_search_query(text);
DROP FUNCTION ghiseu_search_vector(text);
DROP TEXT SEARCH CONFIGURATION ghiseu_ro;
