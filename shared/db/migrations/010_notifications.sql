-- Notifications: the institutions' own versions of the notification
-- templates, the queue of messages to send (which carries the retries of a
-- mail server or an SMS provider that is down), and in-app notifications.

-- An institution's version of a built-in template (shared/mail/templates,
-- which count as version 0). A saved version never changes: an edit is a new
-- version, and each message keeps the version it was written with, so what
-- a citizen was sent can always be told.
CREATE TABLE message_template (
  institution_id uuid NOT NULL REFERENCES institution (id),
  name           text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  locale         text NOT NULL CHECK (locale IN ('ro', 'en')),
  version        integer NOT NULL CHECK (version >= 1),
  -- Template bodies (Go text/template; html is html/template), checked by
  -- notify before they are stored. An empty html sends a text-only mail,
  -- an empty sms sends no text message, an empty notice gives an in-app
  -- notification a title only.
  subject        text NOT NULL CHECK (subject <> '' AND char_length(subject) <= 1000),
  text           text NOT NULL CHECK (text <> '' AND char_length(text) <= 20000),
  html           text NOT NULL DEFAULT '' CHECK (char_length(html) <= 50000),
  sms            text NOT NULL DEFAULT '' CHECK (char_length(sms) <= 1000),
  notice         text NOT NULL DEFAULT '' CHECK (char_length(notice) <= 2000),
  created_at     timestamptz NOT NULL DEFAULT now(),
  created_by     uuid REFERENCES account (id),
  PRIMARY KEY (institution_id, name, locale, version)
);
CALL enable_tenant_isolation('message_template');
GRANT SELECT, INSERT ON message_template TO ghiseu_app;

CREATE FUNCTION refuse_message_template_change() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
  RAISE EXCEPTION 'a saved message template is immutable: save a new version' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER message_template_immutable BEFORE UPDATE OR DELETE ON message_template
  FOR EACH ROW EXECUTE FUNCTION refuse_message_template_change();

-- One row per notification to send: an event, a channel, a recipient. The
-- unique key is what makes "never the same notification twice for one
-- event": a redelivered event finds its rows there.
--
-- Neither the address nor the rendered text is stored: both are read and
-- written when the message is sent, from the account and the event. What is
-- kept of the event is its data (event_data), which for request events is
-- ids only; for the account's one-time links it holds the link, a
-- credential the outbox already holds as long, and it is cleared as soon
-- as the message is sent or given up (see notify).
--
-- institution_id is null for platform events (an account's verification),
-- so the key cannot lead with it: like the outbox, the table is keyed by id
-- and sharded, if ever, with its institution's rows by institution_id.
CREATE TABLE message (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  institution_id   uuid REFERENCES institution (id),
  event_source     text NOT NULL,
  event_id         text NOT NULL,
  event_type       text NOT NULL,
  event_data       jsonb,
  channel          text NOT NULL CHECK (channel IN ('email', 'sms')),
  account_id       uuid NOT NULL REFERENCES account (id),
  template         text NOT NULL,
  locale           text NOT NULL CHECK (locale IN ('ro', 'en')),
  -- 0 is the built-in template; otherwise the institution's version.
  template_version integer NOT NULL DEFAULT 0 CHECK (template_version >= 0),
  status           text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  -- Why the last attempt failed, or why the message was given up; never
  -- with the address (shared/mail and shared/sms redact it).
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  sent_at          timestamptz,
  failed_at        timestamptz,
  UNIQUE (event_source, event_id, channel, account_id),
  CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
  CHECK ((status = 'failed') = (failed_at IS NOT NULL))
);
-- The sender's work list: only queued rows, in the order they are due.
CREATE INDEX message_due ON message (next_attempt_at, id) WHERE status = 'queued';
-- An institution's messages that need a look (failed, or still waiting), newest first.
CREATE INDEX message_unsent ON message (institution_id, status, created_at DESC, id DESC) WHERE status <> 'sent';
CREATE INDEX message_account ON message (account_id);
CALL enable_tenant_isolation('message');
GRANT SELECT, INSERT ON message TO ghiseu_app;
GRANT UPDATE (event_data, status, attempts, next_attempt_at, last_error, sent_at, failed_at) ON message TO ghiseu_app;

-- In-app notifications: what a signed-in account sees in its list. They
-- belong to the account, not to an institution: an account sees its own
-- and nobody else's, whatever institution a staff member's session acts
-- for (so no tenant policy, which would show staff their institution's
-- citizens' notifications).
CREATE TABLE notification (
  id             uuid PRIMARY KEY,
  account_id     uuid NOT NULL REFERENCES account (id),
  institution_id uuid REFERENCES institution (id),
  event_source   text NOT NULL,
  event_id       text NOT NULL,
  -- What happened, as the event type says it without its prefix: request.registered...
  kind           text NOT NULL CHECK (kind ~ '^[a-z][a-z.]{0,99}$'),
  title          text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 1000),
  body           text NOT NULL DEFAULT '' CHECK (char_length(body) <= 12000),
  link           text NOT NULL DEFAULT '',
  created_at     timestamptz NOT NULL DEFAULT now(),
  read_at        timestamptz,
  UNIQUE (event_source, event_id, account_id)
);
-- The account's list, newest first, and its unread ones.
CREATE INDEX notification_account ON notification (account_id, created_at DESC, id DESC);
CREATE INDEX notification_unread ON notification (account_id) WHERE read_at IS NULL;
ALTER TABLE notification ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification FORCE ROW LEVEL SECURITY;
CREATE POLICY notification_platform ON notification FOR ALL USING (platform_scope()) WITH CHECK (platform_scope());
CREATE POLICY notification_own ON notification FOR SELECT USING (account_id = current_account());
CREATE POLICY notification_own_read ON notification FOR UPDATE
  USING (account_id = current_account()) WITH CHECK (account_id = current_account());
GRANT SELECT, INSERT ON notification TO ghiseu_app;
GRANT UPDATE (read_at) ON notification TO ghiseu_app;

INSERT INTO permission (code, description) VALUES
  ('notifications.manage', 'Edit notification templates and see failed messages');
-- The administrator holds every permission (003_identity).
INSERT INTO role_permission (role_code, permission_code) VALUES ('administrator', 'notifications.manage');

---- create above / drop below ----

DELETE FROM role_permission WHERE permission_code = 'notifications.manage';
DELETE FROM permission WHERE code = 'notifications.manage';
DROP TABLE notification;
DROP TABLE message;
DROP TABLE message_template;
DROP FUNCTION refuse_message_template_change();
