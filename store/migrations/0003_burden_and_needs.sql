-- Burden check (EDIZ) results over time: only the total score (0-9) and when the check was taken,
-- never the separate answers. Rows exist only for users who consented and go with the user.
CREATE TABLE burden_results (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 9),
    taken_at TEXT NOT NULL,
    UNIQUE (user_id, taken_at)
);

-- Help a carer looked for but that has no local resource, for the coordinators' statistics.
-- Deliberately not linked to a user: it needs no consent and survives erasure.
CREATE TABLE unmet_needs (
    id INTEGER PRIMARY KEY,
    area_code TEXT NOT NULL REFERENCES areas(code) ON UPDATE CASCADE ON DELETE CASCADE,
    category TEXT NOT NULL,
    noted_on TEXT NOT NULL
);
CREATE INDEX unmet_needs_area ON unmet_needs (area_code, category, noted_on);
