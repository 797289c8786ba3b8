-- 002 (SQLite): audit trail and per-session events, ordered by an autoincrement id.
CREATE TABLE audit (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
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
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id TEXT NOT NULL,
  at         BIGINT NOT NULL,
  type       TEXT NOT NULL,
  phone      TEXT NOT NULL DEFAULT '',
  by_name    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX session_events_session ON session_events (session_id, id);
