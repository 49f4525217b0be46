-- Who a request is between, as it stood when each side acted.
--
-- The applicant's identification and contact as the account gave them at
-- submission (name, masked CNP or CUI, e-mail, phone), sealed like the form
-- data: the department handling the request reads them with it (an audited
-- read), while citizens' accounts stay invisible to institutions.
ALTER TABLE request ADD COLUMN applicant_sealed bytea;

-- Who acted for the institution, as an answer is signed: the staff
-- member's name and the department they acted for, written with the change
-- so the signature stays what it was when the person later moves or leaves.
ALTER TABLE request_history
  ADD COLUMN actor_name       text,
  ADD COLUMN actor_department text;

---- create above / drop below ----

ALTER TABLE request_history DROP COLUMN actor_department, DROP COLUMN actor_name;
ALTER TABLE request DROP COLUMN applicant_sealed;
