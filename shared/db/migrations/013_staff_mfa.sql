-- A second factor for the staff who administer an institution, by default.
--
-- A permission is administrative when whoever holds it changes who may do
-- what (roles, accounts, machine clients), how the institution is set up
-- (the institution itself, its organisation chart, registers and filing
-- plan, request types, notification templates) or reaches every tenant's
-- data at once (backups). A stolen password of such an account is a
-- stolen institution: it can grant itself everything else. Reading the
-- audit trail, the registry or requests, and working on them, is not
-- administrative: those are the daily work of clerks and auditors, and
-- institutions that want a second factor for them too keep
-- require_staff_mfa.
ALTER TABLE permission ADD COLUMN administrative boolean NOT NULL DEFAULT false;
UPDATE permission SET administrative = true WHERE code IN (
  'institutions.manage', 'departments.manage', 'users.manage', 'roles.assign', 'machineclients.manage',
  'registry.configure', 'requests.types.manage', 'notifications.manage', 'backup.manage');

-- Staff holding an administrative permission in an institution must have
-- set up TOTP there unless the institution relaxed it (through the API,
-- audited). The default is on: every institution, existing or new, asks.
ALTER TABLE institution ADD COLUMN require_admin_mfa boolean NOT NULL DEFAULT true;

---- create above / drop below ----

ALTER TABLE institution DROP COLUMN require_admin_mfa;
ALTER TABLE permission DROP COLUMN administrative;
