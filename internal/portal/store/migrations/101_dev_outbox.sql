-- 101: development outbox (auth.outbox): messages kept instead of sent, for `admin outbox list`.
-- Holds codes and passwords in clear: only ever filled in dev mode.
CREATE TABLE dev_outbox (
  id       TEXT PRIMARY KEY,
  at       BIGINT NOT NULL,
  channel  TEXT NOT NULL,
  to_addr  TEXT NOT NULL,
  template TEXT NOT NULL,
  subject  TEXT NOT NULL DEFAULT '',
  body     TEXT NOT NULL
);
CREATE INDEX dev_outbox_at ON dev_outbox (at);
