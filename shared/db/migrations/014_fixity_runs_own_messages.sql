-- What each fixity check found (the weekly tick's, or one an operator
-- started), kept so that the last result is shown beside the backups'
-- status: an event alone is gone once delivered. Platform rows: the check
-- covers every institution's documents and every audit chain.
CREATE TABLE fixity_run (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  started_at      timestamptz NOT NULL,
  finished_at     timestamptz NOT NULL,
  -- Which share of the stored documents was reread (fixity.RunNumber).
  run             integer NOT NULL CHECK (run >= 0),
  runs_per_cycle  integer NOT NULL CHECK (runs_per_cycle >= 1),
  checked         bigint NOT NULL CHECK (checked >= 0),
  bytes           bigint NOT NULL CHECK (bytes >= 0),
  mismatched      integer NOT NULL CHECK (mismatched >= 0),
  missing         integer NOT NULL CHECK (missing >= 0),
  unreadable      integer NOT NULL CHECK (unreadable >= 0),
  audit_chains    integer NOT NULL CHECK (audit_chains >= 0),
  audit_broken    integer NOT NULL CHECK (audit_broken >= 0),
  ok              boolean NOT NULL,
  -- The operator who started it; null for the weekly tick.
  requested_by    uuid REFERENCES account (id)
);
CREATE INDEX fixity_run_finished ON fixity_run (finished_at DESC, id DESC);
ALTER TABLE fixity_run ENABLE ROW LEVEL SECURITY;
ALTER TABLE fixity_run FORCE ROW LEVEL SECURITY;
CREATE POLICY fixity_run_platform ON fixity_run FOR ALL USING (platform_scope()) WITH CHECK (platform_scope());
GRANT SELECT, INSERT ON fixity_run TO ghiseu_app;

-- An account reads the messages sent to it (its GDPR export): whatever
-- institution sent them, as it reads its in-app notifications.
CREATE POLICY message_own ON message FOR SELECT USING (account_id = current_account());

---- create above / drop below ----

DROP POLICY message_own ON message;
DROP TABLE fixity_run;
