-- Institutions, their organisation charts, accounts, sessions, roles and
-- permissions. Row-level security underneath the authorization layer: a
-- transaction acting for institution A never sees B's rows, and one acting
-- for an account sees that account's own rows.

-- The account a transaction acts for, set by db.Scope.
CREATE FUNCTION current_account() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT nullif(current_setting('ghiseu.account_id', true), '')::uuid $$;

-- Tenants: the municipality and the institutions under it. The directory is
-- public (names, fiscal codes and addresses of public bodies are public), so
-- anyone reads it; only the institution itself, its parent or the platform
-- changes it.
CREATE TABLE institution (
  id                uuid PRIMARY KEY,
  parent_id         uuid REFERENCES institution (id),
  cif               text NOT NULL UNIQUE,
  name              text NOT NULL,
  address           text NOT NULL DEFAULT '',
  time_zone         text NOT NULL DEFAULT 'Europe/Bucharest',
  require_staff_mfa boolean NOT NULL DEFAULT false,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX institution_parent ON institution (parent_id);
ALTER TABLE institution ENABLE ROW LEVEL SECURITY;
ALTER TABLE institution FORCE ROW LEVEL SECURITY;
CREATE POLICY institution_read ON institution FOR SELECT USING (true);
CREATE POLICY institution_insert ON institution FOR INSERT
  WITH CHECK (platform_scope() OR parent_id = current_institution());
CREATE POLICY institution_update ON institution FOR UPDATE
  USING (platform_scope() OR id = current_institution() OR parent_id = current_institution())
  WITH CHECK (platform_scope() OR id = current_institution() OR parent_id = current_institution());
GRANT SELECT, INSERT, UPDATE ON institution TO ghiseu_app;

-- The organisation chart: departments in a tree. Public, like the directory.
CREATE TABLE department (
  institution_id uuid NOT NULL REFERENCES institution (id),
  id             uuid NOT NULL,
  parent_id      uuid,
  kind           text NOT NULL CHECK (kind IN ('direction', 'service', 'office', 'compartment')),
  code           text NOT NULL,
  name           text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (institution_id, id),
  UNIQUE (institution_id, code),
  FOREIGN KEY (institution_id, parent_id) REFERENCES department (institution_id, id)
);
ALTER TABLE department ENABLE ROW LEVEL SECURITY;
ALTER TABLE department FORCE ROW LEVEL SECURITY;
CREATE POLICY department_read ON department FOR SELECT USING (true);
CREATE POLICY department_write ON department FOR ALL
  USING (platform_scope() OR institution_id = current_institution())
  WITH CHECK (platform_scope() OR institution_id = current_institution());
GRANT SELECT, INSERT, UPDATE, DELETE ON department TO ghiseu_app;

-- Accounts: citizens (natural persons with a CNP, legal persons with a CUI),
-- staff of an institution, and machine clients of institution systems.
-- The CNP is stored sealed (AES-GCM, key from config) with a keyed blind
-- index for uniqueness; it is never stored in clear.
CREATE TABLE account (
  id                 uuid PRIMARY KEY,
  kind               text NOT NULL CHECK (kind IN ('person', 'company', 'staff', 'machine')),
  institution_id     uuid REFERENCES institution (id),
  email              text NOT NULL,
  email_verified_at  timestamptz,
  phone              text,
  display_name       text NOT NULL,
  cnp_sealed         bytea,
  cnp_index          bytea,
  -- Shown to the account and to staff: first digit and last three. Kept
  -- apart so showing it never needs the clear CNP (whose every read is audited).
  cnp_masked         text,
  cui                text,
  password_hash      text,
  totp_secret_sealed bytea,
  totp_enabled_at    timestamptz,
  -- The last 30-second step whose code was accepted: a code is good once.
  totp_last_step     bigint,
  locale             text NOT NULL DEFAULT 'ro' CHECK (locale IN ('ro', 'en')),
  status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  closed_at          timestamptz,
  CHECK ((kind IN ('staff', 'machine')) = (institution_id IS NOT NULL)),
  CHECK (kind <> 'company' OR cui IS NOT NULL)
);
-- One active account per address; a closed account's address is pseudonymised.
CREATE UNIQUE INDEX account_email ON account (lower(email)) WHERE status = 'active';
-- A closed account keeps its keyed index (a pseudonym linking its registry
-- records) without blocking the same person from signing up again.
CREATE UNIQUE INDEX account_cnp ON account (cnp_index) WHERE cnp_index IS NOT NULL AND status = 'active';
CREATE INDEX account_institution ON account (institution_id) WHERE institution_id IS NOT NULL;
ALTER TABLE account ENABLE ROW LEVEL SECURITY;
ALTER TABLE account FORCE ROW LEVEL SECURITY;
-- An account sees itself; an institution sees its own staff and machine
-- clients; citizens are never visible to an institution through this table.
CREATE POLICY account_access ON account FOR ALL
  USING (platform_scope() OR id = current_account()
         OR (institution_id IS NOT NULL AND institution_id = current_institution()))
  WITH CHECK (platform_scope() OR id = current_account()
         OR (institution_id IS NOT NULL AND institution_id = current_institution()));
GRANT SELECT, INSERT, UPDATE ON account TO ghiseu_app;

-- Machine clients' credentials: a client id and a secret (argon2id), with
-- the previous secret accepted until a deadline so a rotation needs no outage.
CREATE TABLE machine_credential (
  account_id            uuid PRIMARY KEY REFERENCES account (id),
  institution_id        uuid NOT NULL REFERENCES institution (id),
  client_id             text NOT NULL UNIQUE,
  secret_hash           text NOT NULL,
  previous_secret_hash  text,
  previous_valid_until  timestamptz,
  rotated_at            timestamptz NOT NULL DEFAULT now()
);
CALL enable_tenant_isolation('machine_credential');
GRANT SELECT, INSERT, UPDATE ON machine_credential TO ghiseu_app;

-- Sessions: opaque random tokens, stored only as their SHA-256. Browser
-- sessions travel in a cookie, API sessions as bearer tokens, machine
-- tokens are short-lived.
CREATE TABLE session (
  id           uuid PRIMARY KEY,
  token_hash   bytea NOT NULL UNIQUE,
  account_id   uuid NOT NULL REFERENCES account (id),
  kind         text NOT NULL CHECK (kind IN ('browser', 'api', 'machine')),
  -- Signed in with the password, the second factor still to come: such a
  -- session can do nothing but finish signing in.
  mfa_pending  boolean NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz,
  ip           inet,
  user_agent   text NOT NULL DEFAULT ''
);
CREATE INDEX session_account ON session (account_id, created_at DESC);
CREATE INDEX session_expired ON session (expires_at);
ALTER TABLE session ENABLE ROW LEVEL SECURITY;
ALTER TABLE session FORCE ROW LEVEL SECURITY;
CREATE POLICY session_own ON session FOR ALL
  USING (platform_scope() OR account_id = current_account())
  WITH CHECK (platform_scope() OR account_id = current_account());
GRANT SELECT, INSERT, UPDATE, DELETE ON session TO ghiseu_app;

-- One-time links sent by mail: verify an address, reset a password. Only
-- the hash of the token is kept.
CREATE TABLE email_token (
  token_hash bytea PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES account (id),
  purpose    text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz
);
CREATE INDEX email_token_account ON email_token (account_id, purpose);
ALTER TABLE email_token ENABLE ROW LEVEL SECURITY;
ALTER TABLE email_token FORCE ROW LEVEL SECURITY;
CREATE POLICY email_token_platform ON email_token FOR ALL USING (platform_scope()) WITH CHECK (platform_scope());
-- An institution invites its own new staff: it may create (never read) a
-- token for an account of its own.
CREATE POLICY email_token_invite ON email_token FOR INSERT
  WITH CHECK (EXISTS (SELECT FROM account a WHERE a.id = account_id AND a.institution_id = current_institution()));
GRANT SELECT, INSERT, UPDATE, DELETE ON email_token TO ghiseu_app;

-- Failed sign-ins per account and per address, shared by every instance of
-- the auth function: repeated failures slow down, then lock, then the lock
-- lifts.
CREATE TABLE auth_throttle (
  key              text PRIMARY KEY,
  failures         integer NOT NULL DEFAULT 0,
  first_failure_at timestamptz NOT NULL DEFAULT now(),
  last_failure_at  timestamptz NOT NULL DEFAULT now(),
  locked_until     timestamptz
);
CREATE INDEX auth_throttle_last_failure ON auth_throttle (last_failure_at);
ALTER TABLE auth_throttle ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth_throttle FORCE ROW LEVEL SECURITY;
CREATE POLICY auth_throttle_platform ON auth_throttle FOR ALL USING (platform_scope()) WITH CHECK (platform_scope());
GRANT SELECT, INSERT, UPDATE, DELETE ON auth_throttle TO ghiseu_app;

-- The catalogue of permissions and the roles that group them. Reference
-- data, the same for every institution.
CREATE TABLE permission (
  code        text PRIMARY KEY,
  description text NOT NULL
);
CREATE TABLE role (
  code        text PRIMARY KEY,
  name_ro     text NOT NULL,
  name_en     text NOT NULL
);
CREATE TABLE role_permission (
  role_code       text NOT NULL REFERENCES role (code),
  permission_code text NOT NULL REFERENCES permission (code),
  PRIMARY KEY (role_code, permission_code)
);
GRANT SELECT ON permission, role, role_permission TO ghiseu_app;

-- A role held by an account in an institution, optionally only for one
-- department, for a period. Revoked assignments are kept (who, when, why).
CREATE TABLE role_assignment (
  institution_id uuid NOT NULL REFERENCES institution (id),
  id             uuid NOT NULL,
  account_id     uuid NOT NULL REFERENCES account (id),
  role_code      text NOT NULL REFERENCES role (code),
  department_id  uuid,
  valid_from     date NOT NULL,
  valid_until    date,
  granted_by     uuid REFERENCES account (id),
  reason         text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  revoked_at     timestamptz,
  revoked_by     uuid REFERENCES account (id),
  revoke_reason  text,
  PRIMARY KEY (institution_id, id),
  FOREIGN KEY (institution_id, department_id) REFERENCES department (institution_id, id),
  CHECK (valid_until IS NULL OR valid_until >= valid_from)
);
CREATE INDEX role_assignment_account ON role_assignment (account_id) WHERE revoked_at IS NULL;
CREATE INDEX role_assignment_role ON role_assignment (institution_id, role_code) WHERE revoked_at IS NULL;
ALTER TABLE role_assignment ENABLE ROW LEVEL SECURITY;
ALTER TABLE role_assignment FORCE ROW LEVEL SECURITY;
CREATE POLICY role_assignment_read ON role_assignment FOR SELECT
  USING (platform_scope() OR institution_id = current_institution() OR account_id = current_account());
CREATE POLICY role_assignment_write ON role_assignment FOR INSERT
  WITH CHECK (platform_scope() OR institution_id = current_institution());
CREATE POLICY role_assignment_revoke ON role_assignment FOR UPDATE
  USING (platform_scope() OR institution_id = current_institution())
  WITH CHECK (platform_scope() OR institution_id = current_institution());
GRANT SELECT, INSERT ON role_assignment TO ghiseu_app;
GRANT UPDATE (revoked_at, revoked_by, revoke_reason) ON role_assignment TO ghiseu_app;

-- An account reads its own acts in the audit trail (the GDPR export shows
-- them); policies add up, so this widens audit_log_read of 002 by that much.
CREATE POLICY audit_log_own ON audit_log FOR SELECT USING (actor_id = current_account());

INSERT INTO permission (code, description) VALUES
  ('institutions.manage', 'Change the institution and create institutions under it'),
  ('departments.manage', 'Change the organisation chart'),
  ('users.read', 'See the institution''s staff and machine clients'),
  ('users.manage', 'Create and disable staff accounts'),
  ('roles.assign', 'Assign and revoke roles'),
  ('machineclients.manage', 'Create, rotate and revoke machine clients'),
  ('audit.read', 'Read the audit trail'),
  ('registry.register', 'Register documents'),
  ('registry.read', 'Read registry entries'),
  ('registry.annul', 'Annul registry entries'),
  ('registry.export', 'Export registers'),
  ('registry.configure', 'Define registers and the filing plan'),
  ('documents.read', 'Read documents'),
  ('documents.read.confidential', 'Read confidential documents'),
  ('documents.upload', 'Upload documents'),
  ('requests.read', 'See the department''s requests'),
  ('requests.assign', 'Assign requests to clerks'),
  ('requests.resolve', 'Act on requests: ask, extend, resolve, reject, forward'),
  ('requests.types.manage', 'Define request types'),
  ('workflow.approve', 'Give opinions and approvals'),
  ('workflow.sign', 'Sign answers'),
  ('backup.manage', 'See backup status and start a backup'),
  ('integration.send', 'Send events from an institution system');

INSERT INTO role (code, name_ro, name_en) VALUES
  ('citizen', 'Cetățean', 'Citizen'),
  ('registrar', 'Registratură', 'Registrar'),
  ('clerk', 'Funcționar', 'Clerk'),
  ('head_of_department', 'Șef de compartiment', 'Head of department'),
  ('signatory', 'Semnatar', 'Signatory'),
  ('secretary_general', 'Secretar general', 'Secretary general'),
  ('administrator', 'Administrator', 'Administrator'),
  ('auditor', 'Auditor', 'Auditor'),
  ('integration', 'Integrare', 'Integration');

INSERT INTO role_permission (role_code, permission_code)
SELECT r, p FROM (VALUES
  ('registrar', 'registry.register'), ('registrar', 'registry.read'), ('registrar', 'registry.export'),
  ('registrar', 'documents.read'), ('registrar', 'documents.upload'),
  ('clerk', 'registry.read'), ('clerk', 'documents.read'), ('clerk', 'documents.upload'),
  ('clerk', 'requests.read'), ('clerk', 'requests.resolve'),
  ('head_of_department', 'registry.read'), ('head_of_department', 'documents.read'),
  ('head_of_department', 'documents.upload'), ('head_of_department', 'requests.read'),
  ('head_of_department', 'requests.resolve'), ('head_of_department', 'requests.assign'),
  ('head_of_department', 'workflow.approve'), ('head_of_department', 'users.read'),
  ('signatory', 'registry.read'), ('signatory', 'documents.read'), ('signatory', 'workflow.sign'),
  ('secretary_general', 'registry.read'), ('secretary_general', 'registry.annul'),
  ('secretary_general', 'registry.export'), ('secretary_general', 'documents.read'),
  ('secretary_general', 'documents.read.confidential'), ('secretary_general', 'requests.read'),
  ('secretary_general', 'workflow.approve'), ('secretary_general', 'workflow.sign'),
  ('secretary_general', 'users.read'),
  ('auditor', 'audit.read'), ('auditor', 'registry.read'), ('auditor', 'users.read'),
  ('integration', 'integration.send'), ('integration', 'registry.register'),
  ('integration', 'documents.upload'), ('integration', 'roles.assign')
) AS rp (r, p);
-- The administrator holds every permission, so it can hand any role out.
INSERT INTO role_permission (role_code, permission_code)
SELECT 'administrator', code FROM permission;

---- create above / drop below ----

DROP POLICY audit_log_own ON audit_log;
DROP TABLE role_assignment;
DROP TABLE role_permission;
DROP TABLE role;
DROP TABLE permission;
DROP TABLE auth_throttle;
DROP TABLE email_token;
DROP TABLE session;
DROP TABLE machine_credential;
DROP TABLE account;
DROP TABLE department;
DROP TABLE institution;
DROP FUNCTION current_account();
