-- 102: portal hardening (docs/security.md). Locks grow with their number (lock_count, reset
-- by a success); captcha tokens are spent in the database so that a token is single use
-- across restarts and instances; every code sent is counted per account for the hourly cap.
ALTER TABLE users ADD COLUMN lock_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE auth_throttle ADD COLUMN lock_count INTEGER NOT NULL DEFAULT 0;
CREATE TABLE auth_captcha_used (
  nonce      TEXT PRIMARY KEY,
  expires_at BIGINT NOT NULL
);
CREATE INDEX auth_captcha_used_exp ON auth_captcha_used (expires_at);
CREATE TABLE auth_code_sends (
  id      TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  at      BIGINT NOT NULL
);
CREATE INDEX auth_code_sends_user ON auth_code_sends (user_id, at);
