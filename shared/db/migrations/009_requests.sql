-- Citizen requests: what a citizen or company asked an institution online,
-- with the request type version it was made with, its registration, legal
-- deadline and status, the history of every change, and its files.

CREATE TABLE request (
  institution_id    uuid NOT NULL REFERENCES institution (id),
  id                uuid NOT NULL,
  type_id           uuid NOT NULL,
  type_version      integer NOT NULL,
  -- The citizen or company account that submitted it.
  applicant_id      uuid NOT NULL REFERENCES account (id),
  -- The competent department (from the type version, or where it was moved).
  department_id     uuid NOT NULL,
  register_id       uuid NOT NULL,
  -- What lists show: the type's name and the subject the applicant gave.
  title             text NOT NULL CHECK (title <> '' AND char_length(title) <= 500),
  -- The form data, sealed like every personal datum (package pii): it
  -- holds names, CNPs and addresses. Staff reads are audited.
  data_sealed       bytea NOT NULL,
  -- Whether the applicant is identified (a verified CNP or CUI, or a name
  -- and an address in the form): a petition whose petitioner is not is
  -- filed away (OG 27/2002 art. 7).
  identified        boolean NOT NULL,
  status            text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'registered', 'assigned',
                      'in_progress', 'info_requested', 'extended', 'resolved', 'rejected', 'filed_away', 'forwarded')),
  submitted_at      timestamptz NOT NULL DEFAULT now(),
  -- Filled when register-document answers with ro.ghiseu.document.registered.
  entry_id          uuid,
  register_code     text,
  number            bigint,
  year              integer,
  registered_at     timestamptz,
  verification_code text,
  -- The last day of the legal term, in the institution's calendar.
  deadline          date,
  -- An extension is granted once.
  extended_days     integer CHECK (extended_days BETWEEN 1 AND 30),
  assignee_id       uuid REFERENCES account (id),
  -- Set when the request reaches a final status.
  closed_at         timestamptz,
  -- The answer's own registration (outgoing), when it comes back.
  answer_entry_id   uuid,
  answer_number     bigint,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  revision          integer NOT NULL DEFAULT 1,
  PRIMARY KEY (institution_id, id),
  FOREIGN KEY (institution_id, type_id, type_version) REFERENCES request_type_version (institution_id, type_id, version),
  FOREIGN KEY (institution_id, department_id) REFERENCES department (institution_id, id),
  FOREIGN KEY (institution_id, register_id) REFERENCES register (institution_id, id),
  FOREIGN KEY (institution_id, entry_id) REFERENCES registry_entry (institution_id, id),
  FOREIGN KEY (institution_id, answer_entry_id) REFERENCES registry_entry (institution_id, id),
  CHECK ((number IS NULL) = (registered_at IS NULL) AND (number IS NULL) = (entry_id IS NULL)),
  CHECK ((status IN ('resolved', 'rejected', 'filed_away', 'forwarded')) = (closed_at IS NOT NULL)),
  CHECK (status = 'submitted' OR status = 'filed_away' OR number IS NOT NULL)
);
-- A department's open work, by deadline; a clerk's open work, by deadline.
CREATE INDEX request_department_open ON request (institution_id, department_id, deadline, id) WHERE closed_at IS NULL;
CREATE INDEX request_assignee_open ON request (institution_id, assignee_id, deadline, id) WHERE closed_at IS NULL AND assignee_id IS NOT NULL;
-- "My requests", newest first.
CREATE INDEX request_applicant ON request (applicant_id, submitted_at DESC, id DESC);
-- The public lookup by number and year (the verification code decides).
CREATE INDEX request_number ON request (institution_id, year, number) WHERE number IS NOT NULL;
CREATE UNIQUE INDEX request_entry ON request (institution_id, entry_id) WHERE entry_id IS NOT NULL;
CALL enable_tenant_isolation('request');
-- The applicant sees its own requests, in every institution.
CREATE POLICY request_applicant ON request FOR SELECT USING (applicant_id = current_account());
GRANT SELECT, INSERT ON request TO ghiseu_app;
GRANT UPDATE (department_id, status, entry_id, register_code, number, year, registered_at, verification_code, deadline,
              extended_days, assignee_id, closed_at, answer_entry_id, answer_number, updated_at, revision)
  ON request TO ghiseu_app;

-- Every change of a request, in order. Rows are never changed or deleted:
-- the history is the request's legal trail.
CREATE TABLE request_history (
  institution_id uuid NOT NULL,
  request_id     uuid NOT NULL,
  id             bigint GENERATED ALWAYS AS IDENTITY,
  at             timestamptz NOT NULL DEFAULT clock_timestamp(),
  action         text NOT NULL CHECK (action ~ '^[a-z_]{1,40}$'),
  -- The status after the change.
  status         text NOT NULL,
  actor_id       uuid REFERENCES account (id),
  actor_kind     text NOT NULL,
  -- What the actor wrote: a question, an answer, a reason.
  note           text NOT NULL DEFAULT '' CHECK (char_length(note) <= 10000),
  -- What else the change says: the assignee, the extension, where it went.
  details        jsonb NOT NULL DEFAULT '{}',
  -- Whether the applicant sees the row (internal notes and assignments it does not).
  public         boolean NOT NULL,
  PRIMARY KEY (institution_id, request_id, id),
  FOREIGN KEY (institution_id, request_id) REFERENCES request (institution_id, id)
);
CALL enable_tenant_isolation('request_history');
CREATE POLICY request_history_applicant ON request_history FOR SELECT USING (public AND EXISTS (
  SELECT FROM request r WHERE r.institution_id = request_history.institution_id AND r.id = request_history.request_id
    AND r.applicant_id = current_account()));
GRANT SELECT, INSERT ON request_history TO ghiseu_app;

-- The files of a request: what the applicant sent with it and with its
-- answers to information requests, and the institution's answer. The bytes
-- are in the documents bucket, content-addressed.
CREATE TABLE request_file (
  institution_id uuid NOT NULL,
  request_id     uuid NOT NULL,
  id             bigint GENERATED ALWAYS AS IDENTITY,
  -- The attachment kind of the type version, "info" for files sent with an
  -- answer to an information request, "answer" for the institution's answer.
  kind           text NOT NULL CHECK (kind ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  title          text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 500),
  name           text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 500),
  sha256         text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size           bigint NOT NULL CHECK (size > 0),
  media_type     text NOT NULL,
  object_key     text NOT NULL,
  history_id     bigint NOT NULL,
  -- The registry's document, once registered.
  document_id    uuid,
  added_by       uuid REFERENCES account (id),
  added_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (institution_id, request_id, id),
  FOREIGN KEY (institution_id, request_id) REFERENCES request (institution_id, id),
  FOREIGN KEY (institution_id, request_id, history_id) REFERENCES request_history (institution_id, request_id, id)
);
CALL enable_tenant_isolation('request_file');
CREATE POLICY request_file_applicant ON request_file FOR SELECT USING (EXISTS (
  SELECT FROM request r WHERE r.institution_id = request_file.institution_id AND r.id = request_file.request_id
    AND r.applicant_id = current_account()));
GRANT SELECT, INSERT ON request_file TO ghiseu_app;
GRANT UPDATE (document_id) ON request_file TO ghiseu_app;

-- The history and the files are a legal trail: nobody rewrites them.
CREATE FUNCTION refuse_request_trail_change() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
  -- A file gets its registry document once; nothing else about it changes.
  -- (Nested: plpgsql would resolve OLD's fields for every table.)
  IF TG_TABLE_NAME = 'request_file' AND TG_OP = 'UPDATE' THEN
    IF (to_jsonb(OLD) ->> 'document_id') IS NULL
       AND (to_jsonb(NEW) - 'document_id') = (to_jsonb(OLD) - 'document_id') THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION '% of % is refused: a request''s trail is never rewritten', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER request_history_immutable BEFORE UPDATE OR DELETE ON request_history
  FOR EACH ROW EXECUTE FUNCTION refuse_request_trail_change();
CREATE TRIGGER request_file_immutable BEFORE UPDATE OR DELETE ON request_file
  FOR EACH ROW EXECUTE FUNCTION refuse_request_trail_change();
CREATE TRIGGER request_truncate BEFORE TRUNCATE ON request
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_request_trail_change();
CREATE TRIGGER request_history_truncate BEFORE TRUNCATE ON request_history
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_request_trail_change();
CREATE TRIGGER request_file_truncate BEFORE TRUNCATE ON request_file
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_request_trail_change();

---- create above / drop below ----

DROP TABLE request_file;
DROP TABLE request_history;
DROP TABLE request;
DROP FUNCTION refuse_request_trail_change();
