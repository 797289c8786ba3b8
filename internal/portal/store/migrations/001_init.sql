-- 001: accounts, entities, profiles, desk phones, sessions and phone links.
-- Portable SQL (SQLite and PostgreSQL): times are BIGINT Unix milliseconds (UTC), booleans are
-- INTEGER 0/1, ids are TEXT.
CREATE TABLE entities (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE users (
  id                   TEXT PRIMARY KEY,
  national_id          TEXT UNIQUE,
  identifiant          TEXT NOT NULL UNIQUE,
  given_name           TEXT NOT NULL,
  family_name          TEXT NOT NULL,
  email                TEXT NOT NULL DEFAULT '',
  mobile               TEXT NOT NULL DEFAULT '',
  habilitation         INTEGER NOT NULL DEFAULT 1,
  disabled             INTEGER NOT NULL DEFAULT 0,
  password_hash        TEXT,
  password_changed_at  BIGINT,
  must_change_password INTEGER NOT NULL DEFAULT 0,
  secret_question      TEXT,
  secret_answer_hash   TEXT,
  failed_attempts      INTEGER NOT NULL DEFAULT 0,
  locked_until         BIGINT,
  created_at           BIGINT NOT NULL
);

CREATE TABLE otp_channels (
  user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind         TEXT NOT NULL,
  value        TEXT NOT NULL,
  active       INTEGER NOT NULL DEFAULT 0,
  validated_at BIGINT,
  PRIMARY KEY (user_id, kind)
);

CREATE TABLE profiles (
  id        TEXT PRIMARY KEY,
  user_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
  label     TEXT NOT NULL,
  UNIQUE (user_id, entity_id, label)
);

CREATE TABLE phones (
  entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
  number    TEXT NOT NULL,
  label     TEXT NOT NULL DEFAULT '',
  location  TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (entity_id, number)
);

CREATE TABLE sessions (
  id              TEXT PRIMARY KEY,
  token_hash      TEXT NOT NULL UNIQUE,
  user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  method          TEXT NOT NULL,
  workstation     TEXT NOT NULL,
  profile_id      TEXT REFERENCES profiles(id) ON DELETE SET NULL,
  created_at      BIGINT NOT NULL,
  last_seen_at    BIGINT NOT NULL,
  idle_expires_at BIGINT NOT NULL,
  expires_at      BIGINT NOT NULL,
  ended_at        BIGINT,
  end_reason      TEXT
);
CREATE INDEX sessions_open ON sessions (ended_at, expires_at);
CREATE INDEX sessions_user ON sessions (user_id);

-- One phone, one session; one session, one phone. The constraints, not the code, forbid a
-- double link, so two portal instances on one PostgreSQL cannot both win.
CREATE TABLE phone_links (
  entity_id  TEXT NOT NULL,
  number     TEXT NOT NULL,
  session_id TEXT NOT NULL UNIQUE REFERENCES sessions(id) ON DELETE CASCADE,
  linked_at  BIGINT NOT NULL,
  PRIMARY KEY (entity_id, number),
  FOREIGN KEY (entity_id, number) REFERENCES phones(entity_id, number) ON DELETE CASCADE
);

-- Last choices of a user on a workstation.
CREATE TABLE workstation_prefs (
  user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  workstation TEXT NOT NULL,
  profile_id  TEXT,
  phone       TEXT NOT NULL DEFAULT '',
  updated_at  BIGINT NOT NULL,
  PRIMARY KEY (user_id, workstation)
);
