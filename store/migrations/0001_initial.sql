-- Areas form a tree; `nl` is the national root. A PC4 postcode may sit in several areas (a city
-- and its district); lookups take the deepest one.
CREATE TABLE areas (
    code TEXT PRIMARY KEY CHECK (code <> '' AND code NOT GLOB '*[^a-z0-9-]*'),
    name TEXT NOT NULL CHECK (name <> ''),
    parent TEXT REFERENCES areas(code) ON UPDATE CASCADE ON DELETE RESTRICT,
    CHECK ((code = 'nl') = (parent IS NULL))
);
INSERT INTO areas (code, name, parent) VALUES ('nl', 'Nederland', NULL);

CREATE TABLE area_postcodes (
    area_code TEXT NOT NULL REFERENCES areas(code) ON DELETE CASCADE,
    pc4 INTEGER NOT NULL CHECK (pc4 BETWEEN 1000 AND 9999),
    PRIMARY KEY (area_code, pc4)
) WITHOUT ROWID;
CREATE INDEX area_postcodes_pc4 ON area_postcodes (pc4);

CREATE TABLE resources (
    id TEXT PRIMARY KEY NOT NULL CHECK (id <> '' AND id NOT GLOB '*[^a-z0-9-]*'),
    name TEXT NOT NULL CHECK (name <> ''),
    category TEXT NOT NULL,
    functions TEXT NOT NULL DEFAULT '',
    audience TEXT NOT NULL DEFAULT '',
    description_nl TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    first_step_nl TEXT NOT NULL DEFAULT '',
    first_step_en TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    cost TEXT NOT NULL DEFAULT '',
    languages TEXT NOT NULL DEFAULT '',
    opening_hours TEXT NOT NULL DEFAULT '',
    starts_at TEXT,
    ends_at TEXT,
    last_verified TEXT,
    source TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) WITHOUT ROWID;
CREATE INDEX resources_category ON resources (category, active);

-- `category` repeats the resource's own, so that a search reads only the matching links.
CREATE TABLE resource_areas (
    resource_id TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    area_code TEXT NOT NULL REFERENCES areas(code) ON DELETE RESTRICT,
    category TEXT NOT NULL,
    PRIMARY KEY (resource_id, area_code)
) WITHOUT ROWID;
CREATE INDEX resource_areas_search ON resource_areas (area_code, category, resource_id);

-- A user row exists only after consent. Postcodes are not kept: only the area they map to.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    external_id TEXT NOT NULL,
    language TEXT,
    consent_at TEXT NOT NULL,
    home_area TEXT REFERENCES areas(code) ON DELETE SET NULL,
    care_area TEXT REFERENCES areas(code) ON DELETE SET NULL,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL,
    UNIQUE (channel, external_id)
);

CREATE TABLE conversation_state (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    step TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    offered TEXT NOT NULL DEFAULT '[]',
    history TEXT NOT NULL DEFAULT '[]',
    updated_at TEXT NOT NULL
);
