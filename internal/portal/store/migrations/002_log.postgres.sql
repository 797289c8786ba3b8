-- 002 (PostgreSQL): audit trail and per-session events, ordered by an autoincrement id.
CREATE TABLE audit (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          BIGINT NOT NULL,
  event       TEXT NOT NULL,
  result      TEXT NOT NULL,
  code        TEXT NOT NULL DEFAULT '',
  user_id     TEXT NOT NULL DEFAULT '',
  subject     TEXT NOT NULL DEFAULT '',
  session_id  TEXT NOT NULL DEFAULT '',
  workstation TEXT NOT NULL DEFAULT '',
  remote      TEXT NOT NULL DEFAULT '',
  detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_at ON audit (at);

CREATE TABLE session_events (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_id TEXT NOT NULL,
  at         BIGINT NOT NULL,
  type       TEXT NOT NULL,
  phone      TEXT NOT NULL DEFAULT '',
  by_name    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX session_events_session ON session_events (session_id, id);
