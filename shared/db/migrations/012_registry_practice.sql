-- Registry practice: where answers are numbered, links between entries
-- (conexare) as additions, identical petitions.

-- How an institution numbers its answers, and how long a registrar may
-- annul an entry they registered themselves. No row means the defaults:
-- answers in the institution's outgoing register, 30 minutes.
--   answer_register: the answer is a new entry of answer_register_id (or,
--     when null, of the institution's first open register of kind outgoing);
--   same_number: the practice of the National Archives' instructions (a
--     register of incoming and outgoing documents): the answer is recorded
--     as the outgoing document ("ieșire") of the entry it answers, on that
--     entry's number, in that entry's register.
CREATE TABLE registry_practice (
  institution_id      uuid PRIMARY KEY REFERENCES institution (id),
  answer_numbering    text NOT NULL DEFAULT 'answer_register' CHECK (answer_numbering IN ('answer_register', 'same_number')),
  answer_register_id  uuid,
  own_annul_minutes   integer NOT NULL DEFAULT 30 CHECK (own_annul_minutes BETWEEN 0 AND 1440),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  updated_by          uuid REFERENCES account (id),
  FOREIGN KEY (institution_id, answer_register_id) REFERENCES register (institution_id, id)
);
CALL enable_tenant_isolation('registry_practice');
GRANT SELECT, INSERT ON registry_practice TO ghiseu_app;
GRANT UPDATE (answer_numbering, answer_register_id, own_annul_minutes, updated_at, updated_by) ON registry_practice TO ghiseu_app;

-- Links between entries: each row is an addition, never changed or
-- deleted (like the entries themselves); an entry may be linked to any
-- number of others. A link reads both ways: entry_id is the entry it was
-- made from, linked_entry_id the one it names.
--   related: conexare of related documents;
--   answer: entry_id answers linked_entry_id (also kept by answers_entry);
--   duplicate: entry_id is an identical petition of the same petitioner as
--     linked_entry_id (OG 27/2002 art. 16).
CREATE TABLE registry_link (
  institution_id   uuid NOT NULL,
  entry_id         uuid NOT NULL,
  linked_entry_id  uuid NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('related', 'answer', 'duplicate')),
  linked_at        timestamptz NOT NULL DEFAULT now(),
  linked_by        uuid REFERENCES account (id),
  note             text NOT NULL DEFAULT '' CHECK (char_length(note) <= 1000),
  PRIMARY KEY (institution_id, entry_id, linked_entry_id, kind),
  FOREIGN KEY (institution_id, entry_id) REFERENCES registry_entry (institution_id, id),
  FOREIGN KEY (institution_id, linked_entry_id) REFERENCES registry_entry (institution_id, id),
  CHECK (entry_id <> linked_entry_id)
);
-- The other side's links.
CREATE INDEX registry_link_back ON registry_link (institution_id, linked_entry_id);
CALL enable_tenant_isolation('registry_link');
GRANT SELECT, INSERT ON registry_link TO ghiseu_app;
CREATE TRIGGER registry_link_immutable BEFORE UPDATE OR DELETE ON registry_link
  FOR EACH ROW EXECUTE FUNCTION refuse_registry_delete();
CREATE TRIGGER registry_link_no_truncate BEFORE TRUNCATE ON registry_link
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_registry_delete();
-- The links the single pointer made until now.
INSERT INTO registry_link (institution_id, entry_id, linked_entry_id, kind, linked_at, linked_by)
SELECT institution_id, id, answers_entry, 'answer', registered_at, registered_by
FROM registry_entry WHERE answers_entry IS NOT NULL AND answers_entry <> id;

-- Answers recorded under the number of the entry they answer (practice
-- same_number): the outgoing half of the entry's row in the register.
-- Immutable like the entries.
CREATE TABLE registry_dispatch (
  institution_id  uuid NOT NULL,
  id              uuid NOT NULL,
  entry_id        uuid NOT NULL,
  dispatched_at   timestamptz NOT NULL,
  recipient       text NOT NULL DEFAULT '',
  subject         text NOT NULL,
  registered_by   uuid REFERENCES account (id),
  reference       text NOT NULL DEFAULT '',
  PRIMARY KEY (institution_id, id),
  FOREIGN KEY (institution_id, entry_id) REFERENCES registry_entry (institution_id, id)
);
CREATE INDEX registry_dispatch_entry ON registry_dispatch (institution_id, entry_id, dispatched_at);
CALL enable_tenant_isolation('registry_dispatch');
GRANT SELECT, INSERT ON registry_dispatch TO ghiseu_app;
CREATE TRIGGER registry_dispatch_immutable BEFORE UPDATE OR DELETE ON registry_dispatch
  FOR EACH ROW EXECUTE FUNCTION refuse_registry_delete();
-- The petitioner sees the answers given on their own entries.
CREATE POLICY registry_dispatch_party ON registry_dispatch FOR SELECT USING (EXISTS (
  SELECT FROM registry_entry e
  WHERE e.institution_id = registry_dispatch.institution_id AND e.id = registry_dispatch.entry_id
    AND e.party_account_id = current_account()));

-- Identical petitions: the blind index (HMAC, package pii) of a request's
-- type and form data, so that the same text of the same applicant is found
-- without the database seeing it, and the request it duplicates.
ALTER TABLE request
  ADD COLUMN content_index bytea,
  ADD COLUMN duplicate_of uuid,
  ADD FOREIGN KEY (institution_id, duplicate_of) REFERENCES request (institution_id, id);
CREATE INDEX request_content ON request (institution_id, applicant_id, type_id, content_index) WHERE content_index IS NOT NULL;
CREATE INDEX request_duplicates ON request (institution_id, duplicate_of) WHERE duplicate_of IS NOT NULL;
GRANT UPDATE (duplicate_of) ON request TO ghiseu_app;

---- create above / drop below ----

DROP INDEX request_duplicates;
DROP INDEX request_content;
ALTER TABLE request DROP COLUMN duplicate_of, DROP COLUMN content_index;
DROP TABLE registry_dispatch;
DROP TABLE registry_link;
DROP TABLE registry_practice;
