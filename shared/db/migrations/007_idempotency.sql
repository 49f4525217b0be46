-- Idempotency keys: a POST that creates something and carries an
-- Idempotency-Key is answered, when retried, with the first answer instead
-- of creating twice (a registrar's double click must not take two numbers).
-- A key belongs to the account that sent it; the row is written in the same
-- transaction as what the request created, so a crash leaves neither.
CREATE TABLE idempotency_key (
  account_id   uuid NOT NULL REFERENCES account (id),
  key          text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 200),
  -- What the request asked for; the same key with another request is refused.
  request_hash bytea NOT NULL,
  status       integer,
  response     jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, key)
);
CREATE INDEX idempotency_key_created_at ON idempotency_key (created_at);
ALTER TABLE idempotency_key ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_key FORCE ROW LEVEL SECURITY;
CREATE POLICY idempotency_key_own ON idempotency_key FOR ALL
  USING (platform_scope() OR account_id = current_account())
  WITH CHECK (platform_scope() OR account_id = current_account());
GRANT SELECT, INSERT, DELETE ON idempotency_key TO ghiseu_app;
GRANT UPDATE (status, response) ON idempotency_key TO ghiseu_app;

---- create above / drop below ----

DROP TABLE idempotency_key;
