-- 100: password + OTP sign-in, OTP channel tests, remembered workstations, account recovery,
-- unknown-name throttling and the delivery queue (docs/auth.md).
-- A pending second factor: created by a right password (purpose "signin") or by a channel
-- test (purpose "channel"). The code is kept only as its HMAC (hex).
CREATE TABLE auth_challenges (
  id           TEXT PRIMARY KEY,
  user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose      TEXT NOT NULL,
  workstation  TEXT NOT NULL DEFAULT '',
  created_at   BIGINT NOT NULL,
  otp_id       TEXT NOT NULL DEFAULT '',
  kind         TEXT NOT NULL DEFAULT '',
  address      TEXT NOT NULL DEFAULT '',
  code_mac     TEXT NOT NULL DEFAULT '',
  issued_at    BIGINT NOT NULL DEFAULT 0,
  expires_at   BIGINT NOT NULL DEFAULT 0,
  last_sent_at BIGINT NOT NULL DEFAULT 0,
  tries        INTEGER NOT NULL DEFAULT 0,
  sends        INTEGER NOT NULL DEFAULT 0,
  used         INTEGER NOT NULL DEFAULT 0,
  job_id       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX auth_challenges_user ON auth_challenges (user_id, purpose);

-- "Remember this workstation for 24 h": only the SHA-256 of the token (hex).
CREATE TABLE auth_devices (
  hash        TEXT PRIMARY KEY,
  user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  workstation TEXT NOT NULL,
  expires_at  BIGINT NOT NULL
);
CREATE INDEX auth_devices_ws ON auth_devices (workstation);

-- Recovery links (single use, 15 min): only the SHA-256 of the token (hex).
CREATE TABLE auth_links (
  hash       TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose    TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at    BIGINT
);

-- A recovery in progress (forgotten password or identifiant). user_id is '' for an unknown
-- name: the flow goes on with a decoy question so that the answers do not tell.
CREATE TABLE auth_recoveries (
  id         TEXT PRIMARY KEY,
  kind       TEXT NOT NULL,
  user_id    TEXT NOT NULL DEFAULT '',
  question   TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  tries      INTEGER NOT NULL DEFAULT 0,
  done       INTEGER NOT NULL DEFAULT 0
);

-- Failures of names that match no account, counted like an account's, so that the lockout
-- message does not tell which names exist.
CREATE TABLE auth_throttle (
  subject      TEXT PRIMARY KEY,
  failures     INTEGER NOT NULL DEFAULT 0,
  locked_until BIGINT NOT NULL DEFAULT 0,
  updated_at   BIGINT NOT NULL
);

-- notify.Queue: messages waiting for delivery and their fate. body is blanked once a job ends.
CREATE TABLE notify_jobs (
  id           TEXT PRIMARY KEY,
  channel      TEXT NOT NULL,
  to_addr      TEXT NOT NULL,
  template     TEXT NOT NULL,
  subject      TEXT NOT NULL DEFAULT '',
  body         TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  next_at      BIGINT NOT NULL,
  reason       TEXT NOT NULL DEFAULT '',
  created_at   BIGINT NOT NULL,
  updated_at   BIGINT NOT NULL
);
CREATE INDEX notify_jobs_due ON notify_jobs (status, next_at);
