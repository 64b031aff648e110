-- Coordinators: staff of a carer-support organisation. A coordinator is a user (one row in `users`
-- per channel account) with a role; authorisation always goes by this internal id, never by a
-- user name. `admin` may do everything; `coordinator` only within their areas (and below them).
CREATE TABLE coordinators (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('coordinator', 'admin')),
    name TEXT NOT NULL DEFAULT '',
    org TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

CREATE TABLE coordinator_areas (
    user_id INTEGER NOT NULL REFERENCES coordinators(user_id) ON DELETE CASCADE,
    area_code TEXT NOT NULL REFERENCES areas(code) ON UPDATE CASCADE ON DELETE CASCADE,
    PRIMARY KEY (user_id, area_code)
) WITHOUT ROWID;
CREATE INDEX coordinator_areas_area ON coordinator_areas (area_code);

-- One-time invite codes an admin hands to a new coordinator (`/coordinator CODE`). Only a hash of
-- the code is kept. `areas` is a `;`-separated list of area codes.
CREATE TABLE coordinator_invites (
    code_hash TEXT PRIMARY KEY,
    areas TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_by INTEGER REFERENCES coordinators(user_id) ON DELETE SET NULL,
    used_at TEXT
) WITHOUT ROWID;
