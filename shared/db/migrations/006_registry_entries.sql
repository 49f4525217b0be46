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

-- A registration inserts its documents before the entry, so that taking
-- the number (which makes every other registration in the register wait)
-- is its last step: the documents' reference to the entry is checked at
-- commit.
ALTER TABLE document ALTER CONSTRAINT document_institution_id_entry_id_fkey DEFERRABLE INITIALLY DEFERRED;

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

-- Filing plan (added by the filing-plan work)

-- A file's version, for ETags and optimistic concurrency: every change
-- (an edit, the closure) moves revision on; updated_* say when and by whom.
ALTER TABLE filing_file
  ADD COLUMN revision integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN updated_by uuid REFERENCES account (id);
GRANT UPDATE (revision, updated_at, updated_by) ON filing_file TO ghiseu_app;

-- Indicators sort as people read them: numbers inside by value ("II-9"
-- before "II-10"). Deterministic, so ties still break by bytes and the
-- order is total, as keyset pagination needs.
CREATE COLLATION ghiseu_natural (provider = icu, locale = 'und-u-kn-true');
CREATE INDEX filing_file_plan ON filing_file (institution_id, year, indicator COLLATE ghiseu_natural);

-- A closed file takes no more entries and gives none up. The registry
-- checks that before filing, but without a lock a closure could commit in
-- between; here the file's row is share-locked until the entry commits, so
-- a closure either waits for the entry or the entry sees the closure.
CREATE FUNCTION refuse_closed_filing_file() RETURNS trigger LANGUAGE plpgsql AS
$$
DECLARE
  closed timestamptz;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.file_id IS NOT DISTINCT FROM OLD.file_id THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.file_id IS NOT NULL THEN
    SELECT f.closed_at INTO closed FROM filing_file f
    WHERE f.institution_id = OLD.institution_id AND f.id = OLD.file_id FOR SHARE;
    IF closed IS NOT NULL THEN
      RAISE EXCEPTION 'the file % is closed', OLD.file_id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'registry_entry_file_open';
    END IF;
  END IF;
  IF NEW.file_id IS NOT NULL THEN
    SELECT f.closed_at INTO closed FROM filing_file f
    WHERE f.institution_id = NEW.institution_id AND f.id = NEW.file_id FOR SHARE;
    IF closed IS NOT NULL THEN
      RAISE EXCEPTION 'the file % is closed', NEW.file_id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'registry_entry_file_open';
    END IF;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER registry_entry_file_open BEFORE INSERT OR UPDATE OF file_id ON registry_entry
  FOR EACH ROW EXECUTE FUNCTION refuse_closed_filing_file();

-- Search (added by the search work)

-- Row-level security evaluates a query's own conditions after the
-- policies' unless they are LEAKPROOF, and a condition evaluated after them
-- cannot be an index condition: as ghiseu_app, every text search would read
-- every entry of the institution instead of the GIN indexes (500 ms instead
-- of 5 ms for a rare word among 200,000 entries). tsvector @@ tsquery
-- (ts_match_vq) raises no error that depends on the row's vector, only on
-- the query (its depth), which the caller wrote: evaluating it first
-- reveals nothing about rows the policies hide. Only a superuser may mark a
-- function LEAKPROOF; a cluster migrated by a plain owner runs this ALTER
-- once as superuser (CloudNativePG: postInitApplicationSQL). Until then
-- search is right but slow, and this migration warns.
DO $$
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF;
  ELSIF NOT (SELECT proleakproof FROM pg_proc WHERE oid = 'pg_catalog.ts_match_vq(tsvector, tsquery)'::regprocedure) THEN
    RAISE WARNING 'ts_match_vq is not LEAKPROOF: registry search cannot use its indexes under row-level security'
      USING HINT = 'As a superuser: ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF';
  END IF;
END
$$;

-- The stemmer needs the diacritics of the -ție nouns, the words a town
-- hall's registry is made of (autorizație, declarație, dispoziție,
-- informație): "autorizație", "autorizației" and "autorizatie" all stem to
-- autorizat (once unaccented), but "autorizatiei", the genitive typed
-- without diacritics, to autoriz, and finds none of them. So a query word
-- typed without diacritics in which t stands before i and a vowel is also
-- stemmed with ț there, and either stem matches: "autorizatiei" looks for
-- autoriz or autorizat. Exact stems, not prefixes: the planner estimates
-- them from the statistics, and must, to choose between reading the newest
-- entries first and the text index. IMMUTABLE like ghiseu_search_query
-- (every dictionary is named): with a constant argument the planner
-- computes it once and plans with the resulting tsquery.
CREATE FUNCTION ghiseu_search_query_restored(q text) RETURNS tsquery
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS
$$
DECLARE
  result tsquery := ghiseu_search_query(q);
  w record;
BEGIN
  -- ts_debug for its words (its lexemes column stops at unaccent).
  FOR w IN
    SELECT DISTINCT s.plain, s.restored
    FROM ts_debug('public.ghiseu_ro'::regconfig, q) d,
      LATERAL (SELECT lower(d.token) AS word) l,
      LATERAL (SELECT (ts_lexize('pg_catalog.romanian_stem'::regdictionary, l.word))[1] AS plain,
        public.unaccent('public.unaccent'::regdictionary,
          (ts_lexize('pg_catalog.romanian_stem'::regdictionary, regexp_replace(l.word, 't(i[aeiou])', 'ț\1', 'g')))[1]) AS restored) s
    WHERE d.alias IN ('asciiword', 'hword_asciipart')
      AND l.word ~ 'ti[aeiou]'
      AND s.plain <> s.restored
      -- Plain letters, so quoting them into a tsquery below is safe.
      AND s.plain ~ '^[a-z]+$' AND s.restored ~ '^[a-z]+$'
  LOOP
    result := ts_rewrite(result, format('''%s''', w.plain)::tsquery, format('''%s'' | ''%s''', w.plain, w.restored)::tsquery);
  END LOOP;
  RETURN result;
END
$$;

-- The party filter (registry.Query.Party): sender and recipient only,
-- normalised like search. A stored column rather than an expression index:
-- an index on ghiseu_search_vector(...) is useless under row-level security
-- (to_tsvector is not LEAKPROOF, so the condition cannot be an index
-- condition), and computing the vector row by row costs 15 µs an entry.
ALTER TABLE registry_entry ADD COLUMN party_search tsvector GENERATED ALWAYS AS
  (ghiseu_search_vector(sender || ' ' || recipient)) STORED;
CREATE INDEX registry_entry_party_search ON registry_entry USING gin (party_search);
-- A number looked up without its register ("1234/2025"): the primary key
-- leads with the register, so it cannot serve.
CREATE INDEX registry_entry_number ON registry_entry (institution_id, number, year);

---- create above / drop below ----

-- Search (added by the search work)
DROP INDEX registry_entry_number;
DROP INDEX registry_entry_party_search;
ALTER TABLE registry_entry DROP COLUMN party_search;
DROP FUNCTION ghiseu_search_query_restored(text);
DO $$
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) NOT LEAKPROOF;
  END IF;
END
$$;

-- Filing plan (added by the filing-plan work)
DROP TRIGGER registry_entry_file_open ON registry_entry;
DROP FUNCTION refuse_closed_filing_file();
DROP INDEX filing_file_plan;
DROP COLLATION ghiseu_natural;
ALTER TABLE filing_file DROP COLUMN updated_by, DROP COLUMN updated_at, DROP COLUMN revision;

DROP TRIGGER document_version_index_text ON document_version;
DROP FUNCTION index_document_version_text();
ALTER TABLE document_version DROP COLUMN text;
ALTER TABLE document ALTER CONSTRAINT document_institution_id_entry_id_fkey NOT DEFERRABLE;
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
