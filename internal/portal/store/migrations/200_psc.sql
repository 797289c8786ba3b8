-- 200: Pro Santé Connect sign-in (docs/psc.md): the session's acr and PSC auth mode (shown in
-- GET /v1/session), and the ID token kept on the portal for end_session on an explicit
-- sign-out (PSC's tokens never reach a workstation).
ALTER TABLE sessions ADD COLUMN acr TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN auth_mode TEXT NOT NULL DEFAULT '';
CREATE TABLE psc_tokens (
  session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
  id_token   TEXT NOT NULL
);
