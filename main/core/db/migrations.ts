/**
 * Numbered, append-only schema migrations. Never edit a migration that has shipped: add a new one.
 * The database's `PRAGMA user_version` is the number of the last migration applied.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'case store: sources, media, faces, embeddings, jobs, audit',
    sql: `
CREATE TABLE case_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE sources (
  id        INTEGER PRIMARY KEY,
  path      TEXT NOT NULL,
  kind      TEXT NOT NULL CHECK (kind IN ('folder', 'file', 'archive')),
  added_by  TEXT NOT NULL,
  added_at  TEXT NOT NULL
) STRICT;

CREATE TABLE media (
  id            INTEGER PRIMARY KEY,
  sha256        TEXT NOT NULL UNIQUE,
  byte_size     INTEGER NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('image', 'video')),
  format        TEXT,
  width         INTEGER,
  height        INTEGER,
  orientation   INTEGER,
  captured_at   TEXT,
  camera_make   TEXT,
  camera_model  TEXT,
  gps_lat       REAL,
  gps_lon       REAL,
  status        TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
  error_reason  TEXT,
  error_detail  TEXT,
  detect_pass   TEXT,
  processed_at  TEXT
) STRICT;
CREATE INDEX media_status ON media (status);

-- Every place an original was seen. Two identical files are one media row with two locations.
-- A file that could not even be read has a location with an error and no media row.
CREATE TABLE media_locations (
  id             INTEGER PRIMARY KEY,
  source_id      INTEGER NOT NULL REFERENCES sources (id),
  media_id       INTEGER REFERENCES media (id),
  path           TEXT NOT NULL,
  archive_entry  TEXT NOT NULL DEFAULT '',
  is_duplicate   INTEGER NOT NULL DEFAULT 0,
  error_reason   TEXT,
  error_detail   TEXT,
  seen_at        TEXT NOT NULL,
  UNIQUE (source_id, path, archive_entry)
) STRICT;
CREATE INDEX media_locations_media ON media_locations (media_id);

CREATE TABLE models (
  id       TEXT PRIMARY KEY,
  sha256   TEXT NOT NULL,
  role     TEXT NOT NULL,
  dim      INTEGER,
  version  TEXT NOT NULL
) STRICT;

CREATE TABLE faces (
  id            INTEGER PRIMARY KEY,
  media_id      INTEGER NOT NULL REFERENCES media (id),
  frame_ms      INTEGER,
  box_x         REAL NOT NULL,
  box_y         REAL NOT NULL,
  box_w         REAL NOT NULL,
  box_h         REAL NOT NULL,
  landmarks     TEXT NOT NULL,
  det_score     REAL NOT NULL,
  quality       REAL NOT NULL,
  quality_json  TEXT NOT NULL,
  age           REAL,
  gender        TEXT CHECK (gender IN ('male', 'female')),
  thumb         TEXT NOT NULL
) STRICT;
CREATE INDEX faces_media ON faces (media_id);

CREATE TABLE embeddings (
  face_id   INTEGER NOT NULL REFERENCES faces (id) ON DELETE CASCADE,
  model_id  TEXT NOT NULL REFERENCES models (id),
  vector    BLOB NOT NULL,
  PRIMARY KEY (face_id, model_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX embeddings_model ON embeddings (model_id);

CREATE TABLE jobs (
  id              INTEGER PRIMARY KEY,
  kind            TEXT NOT NULL,
  payload         TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  progress_done   INTEGER NOT NULL DEFAULT 0,
  progress_total  INTEGER NOT NULL DEFAULT 0,
  error           TEXT,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
) STRICT;

-- Which media each intake job brought in (or resumed), for per-job summaries.
CREATE TABLE intake_media (
  job_id    INTEGER NOT NULL REFERENCES jobs (id),
  media_id  INTEGER NOT NULL REFERENCES media (id),
  PRIMARY KEY (job_id, media_id)
) STRICT, WITHOUT ROWID;

-- Append-only, hash-chained: each row's hash covers the previous row's hash.
CREATE TABLE audit_log (
  id         INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  actor      TEXT NOT NULL,
  action     TEXT NOT NULL,
  target     TEXT NOT NULL,
  details    TEXT NOT NULL,
  prev_hash  TEXT NOT NULL,
  hash       TEXT NOT NULL
) STRICT;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
`,
  },
  {
    version: 2,
    name: 'video: stream facts on media, face tracks with templates',
    sql: `
ALTER TABLE media ADD COLUMN duration_ms INTEGER;
ALTER TABLE media ADD COLUMN fps REAL;
ALTER TABLE media ADD COLUMN codec TEXT;

-- One sighting: a person's consecutive detections in one video. Its faces are one person (must-link).
CREATE TABLE tracks (
  id            INTEGER PRIMARY KEY,
  media_id      INTEGER NOT NULL REFERENCES media (id),
  start_ms      INTEGER NOT NULL,
  end_ms        INTEGER NOT NULL,
  face_count    INTEGER NOT NULL,
  best_face_id  INTEGER NOT NULL REFERENCES faces (id),
  quality       REAL NOT NULL
) STRICT;
CREATE INDEX tracks_media ON tracks (media_id);

ALTER TABLE faces ADD COLUMN track_id INTEGER REFERENCES tracks (id);
CREATE INDEX faces_track ON faces (track_id);

-- Quality-weighted mean embedding of a track's faces, per recognizer.
CREATE TABLE track_templates (
  track_id  INTEGER NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
  model_id  TEXT NOT NULL REFERENCES models (id),
  vector    BLOB NOT NULL,
  PRIMARY KEY (track_id, model_id)
) STRICT, WITHOUT ROWID;
`,
  },
  {
    version: 3,
    name: 'search: stored searches and matches, watchlists, subjects, alarms',
    sql: `
-- Every 1:N search and M:N match, with its probes, parameters and results, as it was run.
CREATE TABLE searches (
  id              INTEGER PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('search', 'match')),
  at              TEXT NOT NULL,
  examiner        TEXT NOT NULL,
  probes          TEXT NOT NULL,
  params          TEXT NOT NULL,
  models          TEXT NOT NULL,
  faces_searched  INTEGER NOT NULL
) STRICT;

CREATE TABLE search_results (
  search_id   INTEGER NOT NULL REFERENCES searches (id),
  rank        INTEGER NOT NULL,
  face_id     INTEGER NOT NULL REFERENCES faces (id),
  track_id    INTEGER REFERENCES tracks (id),
  probe       INTEGER NOT NULL DEFAULT 0,
  score       REAL NOT NULL,
  rank_score  REAL,
  PRIMARY KEY (search_id, rank)
) STRICT, WITHOUT ROWID;

CREATE TABLE watchlists (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  threshold   REAL NOT NULL,
  notes       TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL,
  created_by  TEXT NOT NULL
) STRICT;

CREATE TABLE subjects (
  id            INTEGER PRIMARY KEY,
  watchlist_id  INTEGER NOT NULL REFERENCES watchlists (id),
  name          TEXT NOT NULL,
  notes         TEXT NOT NULL DEFAULT '',
  created_at    TEXT NOT NULL,
  created_by    TEXT NOT NULL
) STRICT;
CREATE INDEX subjects_watchlist ON subjects (watchlist_id);

-- One reference photo's face of a subject, with its embeddings.
CREATE TABLE subject_refs (
  id          INTEGER PRIMARY KEY,
  subject_id  INTEGER NOT NULL REFERENCES subjects (id),
  sha256      TEXT NOT NULL,
  file_name   TEXT NOT NULL,
  thumb       TEXT NOT NULL,
  age         REAL,
  quality     REAL NOT NULL
) STRICT;
CREATE TABLE subject_ref_embeddings (
  ref_id    INTEGER NOT NULL REFERENCES subject_refs (id),
  model_id  TEXT NOT NULL REFERENCES models (id),
  vector    BLOB NOT NULL,
  PRIMARY KEY (ref_id, model_id)
) STRICT, WITHOUT ROWID;

-- A watchlist hit: raised once per subject and face (or track), reviewed by an examiner.
CREATE TABLE alarms (
  id             INTEGER PRIMARY KEY,
  subject_id     INTEGER NOT NULL REFERENCES subjects (id),
  face_id        INTEGER NOT NULL REFERENCES faces (id),
  track_id       INTEGER REFERENCES tracks (id),
  media_id       INTEGER NOT NULL REFERENCES media (id),
  score          REAL NOT NULL,
  threshold      REAL NOT NULL,
  raised_at      TEXT NOT NULL,
  status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'confirmed', 'dismissed')),
  decided_by     TEXT,
  decided_at     TEXT,
  decision_note  TEXT,
  UNIQUE (subject_id, face_id)
) STRICT;
CREATE INDEX alarms_status ON alarms (status);
`,
  },
  {
    version: 4,
    name: 'M:N matches between libraries',
    sql: `
-- Every M:N match as it was run: both libraries (as given and as resolved), threshold, models.
CREATE TABLE matches (
  id              INTEGER PRIMARY KEY,
  at              TEXT NOT NULL,
  examiner        TEXT NOT NULL,
  library_a       TEXT NOT NULL,
  library_b       TEXT NOT NULL,
  threshold       REAL NOT NULL,
  threshold_from  TEXT NOT NULL,
  models          TEXT NOT NULL,
  pairs_compared  INTEGER NOT NULL,
  truncated       INTEGER NOT NULL,
  max_pairs       INTEGER NOT NULL
) STRICT;

-- A pair above the threshold. Each side is stored whole (JSON): a side may live outside this case
-- (another case, a folder), and the record must read the same later.
CREATE TABLE match_pairs (
  match_id  INTEGER NOT NULL REFERENCES matches (id),
  rank      INTEGER NOT NULL,
  score     REAL NOT NULL,
  log10_lr  REAL,
  a         TEXT NOT NULL,
  b         TEXT NOT NULL,
  PRIMARY KEY (match_id, rank)
) STRICT, WITHOUT ROWID;
`,
  },
  {
    version: 5,
    name: 'evidence clips of video sightings and alarms',
    sql: `
-- A cut of an original video (re-encoded, the original untouched), made from a verified original.
CREATE TABLE clips (
  id             INTEGER PRIMARY KEY,
  media_id       INTEGER NOT NULL REFERENCES media (id),
  track_id       INTEGER REFERENCES tracks (id),
  start_ms       INTEGER NOT NULL,
  end_ms         INTEGER NOT NULL,
  path           TEXT NOT NULL UNIQUE,
  sha256         TEXT NOT NULL,
  bytes          INTEGER NOT NULL,
  encoder        TEXT NOT NULL,
  reason         TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  created_by     TEXT NOT NULL
) STRICT;
CREATE INDEX clips_media ON clips (media_id);

ALTER TABLE alarms ADD COLUMN clip_id INTEGER REFERENCES clips (id);
`,
  },
  {
    version: 6,
    name: 'identities: clustering into identities, examiner constraints and operations',
    sql: `
CREATE TABLE identities (
  id          INTEGER PRIMARY KEY,
  name        TEXT,
  status      TEXT NOT NULL CHECK (status IN ('auto', 'confirmed')) DEFAULT 'auto',
  hidden      INTEGER NOT NULL DEFAULT 0,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
) STRICT;

ALTER TABLE faces ADD COLUMN identity_id INTEGER REFERENCES identities (id);
CREATE INDEX faces_identity ON faces (identity_id);

-- Every examiner operation on identities, with the membership before it (for undo and review).
CREATE TABLE identity_ops (
  id         INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  examiner   TEXT NOT NULL,
  kind       TEXT NOT NULL,
  details    TEXT NOT NULL,
  undone_at  TEXT
) STRICT;

-- Examiner decisions that every (re-)clustering honours: two faces are one person, or are not.
CREATE TABLE identity_constraints (
  id      INTEGER PRIMARY KEY,
  kind    TEXT NOT NULL CHECK (kind IN ('must', 'cannot')),
  face_a  INTEGER NOT NULL REFERENCES faces (id),
  face_b  INTEGER NOT NULL REFERENCES faces (id),
  op_id   INTEGER NOT NULL REFERENCES identity_ops (id)
) STRICT;
CREATE INDEX identity_constraints_op ON identity_constraints (op_id);
`,
  },
  {
    version: 7,
    name: 'annotations, stored 1:1 comparisons, and the audit head anchor',
    sql: `
-- The case's tag vocabulary: tags are defined once (with their meaning) and then applied.
CREATE TABLE tags (
  name         TEXT PRIMARY KEY,
  description  TEXT NOT NULL DEFAULT '',
  created_by   TEXT NOT NULL,
  created_at   TEXT NOT NULL
) STRICT;

-- Tags, notes, bookmarks and conclusions on any piece of evidence. Never deleted: a withdrawn
-- annotation keeps its text and records who withdrew it, when and why.
CREATE TABLE annotations (
  id              INTEGER PRIMARY KEY,
  target_kind     TEXT NOT NULL CHECK (target_kind IN ('media', 'face', 'track', 'identity', 'search', 'alarm', 'comparison')),
  target_id       INTEGER NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('tag', 'note', 'bookmark', 'conclusion')),
  tag             TEXT REFERENCES tags (name),
  body            TEXT NOT NULL DEFAULT '',
  scale           TEXT,
  examiner        TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  withdrawn_at    TEXT,
  withdrawn_by    TEXT,
  withdraw_reason TEXT
) STRICT;
CREATE INDEX annotations_target ON annotations (target_kind, target_id);

-- A 1:1 comparison made in the case, with everything it showed the examiner (scores, LR, warnings).
CREATE TABLE comparisons (
  id        INTEGER PRIMARY KEY,
  at        TEXT NOT NULL,
  examiner  TEXT NOT NULL,
  face_a    INTEGER REFERENCES faces (id),
  face_b    INTEGER REFERENCES faces (id),
  ref_a     TEXT NOT NULL,
  ref_b     TEXT NOT NULL,
  result    TEXT NOT NULL
) STRICT;

-- The newest audit row's id and hash, kept by the database itself: cutting rows off the end of the
-- log (which leaves the remaining chain valid) no longer matches this anchor.
CREATE TRIGGER audit_log_head AFTER INSERT ON audit_log
  BEGIN INSERT OR REPLACE INTO case_meta (key, value) VALUES ('audit.head', NEW.id || ':' || NEW.hash); END;
INSERT OR REPLACE INTO case_meta (key, value)
  SELECT 'audit.head', id || ':' || hash FROM audit_log ORDER BY id DESC LIMIT 1;
`,
  },
  {
    version: 8,
    name: 'job owners, so that a job left running by a killed process is recognised',
    sql: `
-- The process (pid on host) running a job. A job still 'running' whose process is gone was
-- interrupted (crash, kill, power loss); the next opening of the case marks it so.
ALTER TABLE jobs ADD COLUMN owner_pid INTEGER;
ALTER TABLE jobs ADD COLUMN owner_host TEXT;
`,
  },
  {
    version: 9,
    name: 'identity and track of a face in one index, so that sightings are counted from the index alone',
    sql: `
-- Counting an identity's sightings (a video track once, a photo face once) read every face row:
-- 200 ms at 100k faces; from this index, 20 ms. It serves every lookup by identity too.
CREATE INDEX faces_identity_track ON faces (identity_id, track_id);
DROP INDEX faces_identity;
`,
  },
  {
    version: 10,
    name: 'notes on the case itself (annotations with target case:1)',
    sql: `
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt with every row kept as it was.
CREATE TABLE annotations_v10 (
  id              INTEGER PRIMARY KEY,
  target_kind     TEXT NOT NULL CHECK (target_kind IN ('case', 'media', 'face', 'track', 'identity', 'search', 'alarm', 'comparison')),
  target_id       INTEGER NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('tag', 'note', 'bookmark', 'conclusion')),
  tag             TEXT REFERENCES tags (name),
  body            TEXT NOT NULL DEFAULT '',
  scale           TEXT,
  examiner        TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  withdrawn_at    TEXT,
  withdrawn_by    TEXT,
  withdraw_reason TEXT
) STRICT;
INSERT INTO annotations_v10 SELECT id, target_kind, target_id, kind, tag, body, scale, examiner, created_at, withdrawn_at, withdrawn_by, withdraw_reason FROM annotations;
DROP TABLE annotations;
ALTER TABLE annotations_v10 RENAME TO annotations;
CREATE INDEX annotations_target ON annotations (target_kind, target_id);
`,
  },
  {
    version: 11,
    name: 'track of a face by face id in one small index, so that a search reads no face row to group its shortlist',
    sql: `
-- A search looks up the track of each of its ~600 shortlisted faces. From the table, each lookup
-- reads a random page of the face rows (about 6 GB at 1M faces, rarely all in the page cache);
-- this index is about 20 MB at 1M faces.
CREATE INDEX faces_id_track ON faces (id, track_id);
`,
  },
  {
    version: 12,
    name: 'capture time of media and estimated age of faces indexed, for filtered search',
    sql: `
-- A search filtered by dates or by estimated age picked its faces by reading every media or face
-- row; at 1M faces (warm cache) one year 155-162 -> 75-83 ms, age 20-30 329-342 -> 73-76 ms
-- (9.9 s cold, the face rows being about 6 GB).
CREATE INDEX media_captured ON media (captured_at);
CREATE INDEX faces_age ON faces (age);
`,
  },
  {
    version: 13,
    name: 'a watchlist subject can be retired (found, or no longer wanted): kept with its alarms, no longer checked',
    sql: `
ALTER TABLE subjects ADD COLUMN retired_at TEXT;
ALTER TABLE subjects ADD COLUMN retired_by TEXT;
ALTER TABLE subjects ADD COLUMN retire_reason TEXT;
`,
  },
  {
    version: 14,
    name: 'M:N matches one pair per identity pair: the unit of a run, and the item pairs each kept pair stands for',
    sql: `
ALTER TABLE matches ADD COLUMN by_unit TEXT NOT NULL DEFAULT 'item' CHECK (by_unit IN ('item', 'identity'));
ALTER TABLE match_pairs ADD COLUMN item_pairs INTEGER;
`,
  },
  {
    version: 15,
    name: "a subject's reference photo can be removed (a wrong photo): kept with why, no longer used",
    sql: `
ALTER TABLE subject_refs ADD COLUMN removed_at TEXT;
ALTER TABLE subject_refs ADD COLUMN removed_by TEXT;
ALTER TABLE subject_refs ADD COLUMN remove_reason TEXT;
`,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
