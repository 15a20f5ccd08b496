// Schema version 1: users and tokens, items and collections, and the tables jobs, artifacts,
// annotations and the audit log grow into. STRICT tables, foreign keys enforced.
#include "serve/schema.hpp"

#include "core/error.hpp"
#include "serve/db.hpp"

#include <string>

namespace ts::serve {
namespace {

// Each entry takes the catalog from version i to i + 1.
const char *const migrations[] = {
    R"SQL(
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created TEXT NOT NULL
) STRICT;

-- Opaque tokens: only their SHA-256 is kept. scopes: space-separated read annotate process admin.
CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  hash TEXT NOT NULL UNIQUE,
  scopes TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  created TEXT NOT NULL,
  expires TEXT,
  revoked TEXT,
  last_used TEXT
) STRICT;

-- One audio file. media: its path relative to the data folder, named by the server.
CREATE TABLE items (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL REFERENCES users(id),
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  public INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),
  filename TEXT NOT NULL,
  media TEXT NOT NULL,
  mime TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha1 TEXT,
  info TEXT NOT NULL,
  duration REAL,
  rate INTEGER,
  channels INTEGER,
  frames INTEGER,
  origin TEXT NOT NULL DEFAULT 'upload',
  created TEXT NOT NULL,
  updated TEXT NOT NULL
) STRICT;
CREATE INDEX items_owner ON items(owner);

CREATE TABLE item_tags (
  item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  PRIMARY KEY (item_id, tag)
) STRICT, WITHOUT ROWID;
CREATE INDEX item_tags_tag ON item_tags(tag);

CREATE TABLE collections (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL REFERENCES users(id),
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  public INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),
  created TEXT NOT NULL,
  updated TEXT NOT NULL
) STRICT;

CREATE TABLE collection_items (
  collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  added TEXT NOT NULL,
  PRIMARY KEY (collection_id, item_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX collection_items_item ON collection_items(item_id);

-- Jobs: claimed with UPDATE ... RETURNING; a running job of a dead server is requeued at start.
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL REFERENCES users(id),
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'canceled')),
  request TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  backend TEXT NOT NULL DEFAULT 'local' CHECK (backend IN ('local', 'slurm')),
  progress REAL NOT NULL DEFAULT 0,
  error TEXT,
  pid INTEGER,
  slurm_id TEXT,
  created TEXT NOT NULL,
  started TEXT,
  finished TEXT
) STRICT;
CREATE INDEX jobs_state ON jobs(state);
CREATE INDEX jobs_request ON jobs(owner, request_hash);

CREATE TABLE job_items (
  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  state TEXT NOT NULL DEFAULT 'queued',
  error TEXT,
  PRIMARY KEY (job_id, item_id)
) STRICT, WITHOUT ROWID;

-- Derived files of an item: outputs of jobs and cached renders, keyed by what made them.
-- path is relative to the data folder; cache = 1 marks a render that may be evicted.
CREATE TABLE artifacts (
  item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  options_hash TEXT NOT NULL,
  options TEXT NOT NULL,
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  cache INTEGER NOT NULL DEFAULT 1 CHECK (cache IN (0, 1)),
  job_id TEXT REFERENCES jobs(id) ON DELETE SET NULL,
  created TEXT NOT NULL,
  last_used TEXT NOT NULL,
  PRIMARY KEY (item_id, kind, options_hash)
) STRICT, WITHOUT ROWID;

CREATE TABLE annotation_tracks (
  id TEXT PRIMARY KEY,
  item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  owner TEXT NOT NULL REFERENCES users(id),
  title TEXT NOT NULL,
  public INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),
  version INTEGER NOT NULL DEFAULT 1,
  created TEXT NOT NULL,
  updated TEXT NOT NULL
) STRICT;

CREATE TABLE annotations (
  id TEXT PRIMARY KEY,
  track_id TEXT NOT NULL REFERENCES annotation_tracks(id) ON DELETE CASCADE,
  start REAL NOT NULL,
  end REAL NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  color TEXT,
  version INTEGER NOT NULL DEFAULT 1,
  created TEXT NOT NULL,
  updated TEXT NOT NULL,
  CHECK (end >= start)
) STRICT;

CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  user_id TEXT,
  action TEXT NOT NULL,
  object TEXT,
  detail TEXT
) STRICT;
)SQL",
    // 2: a job's attempts (a job a dead server left running is retried, then failed) and the
    // cancel request a worker honours; each job item's outputs.
    R"SQL(
ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN cancel INTEGER NOT NULL DEFAULT 0 CHECK (cancel IN (0, 1));
ALTER TABLE job_items ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE job_items ADD COLUMN outputs TEXT NOT NULL DEFAULT '{}';
)SQL",
    // 3 (browser sessions): a cookie's SHA-256, the token it was signed in with (its
    // revocation ends the session), that token's user and scopes, and an expiry.
    R"SQL(
CREATE TABLE sessions (
  hash TEXT PRIMARY KEY,
  token_id TEXT NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  scopes TEXT NOT NULL,
  created TEXT NOT NULL,
  expires TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_token ON sessions(token_id);
CREATE INDEX sessions_expires ON sessions(expires);
)SQL",
};

} // namespace

void migrate(Db &db) {
    const auto current = db.schema_version();
    constexpr auto count = static_cast<std::int64_t>(std::size(migrations));
    static_assert(std::size(migrations) == schema_version);
    if (current > count)
        throw Error("the catalog has schema version " + std::to_string(current) +
                    ", newer than this ts-serve's " + std::to_string(count));
    for (auto v = current; v < count; ++v) {
        Transaction t(db);
        db.exec(migrations[v]);
        db.exec("PRAGMA user_version = " + std::to_string(v + 1));
        t.commit();
    }
}

} // namespace ts::serve
