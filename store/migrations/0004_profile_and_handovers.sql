-- The carer's short profile: every answer is optional (NULL = not given). Stored only after consent.
-- `situation` is matched against a resource's `audience` by the routing. Under-16s are never stored
-- (parental consent would be needed), so `age_band` has no band for them.
ALTER TABLE users ADD COLUMN relation TEXT
    CHECK (relation IN ('partner', 'parent', 'child', 'family', 'friend'));
ALTER TABLE users ADD COLUMN situation TEXT
    CHECK (situation IN ('dementia', 'physical', 'mental_health', 'disability', 'old_age', 'other'));
ALTER TABLE users ADD COLUMN hours_band TEXT
    CHECK (hours_band IN ('lt4', '4_8', '8_20', 'gt20'));
ALTER TABLE users ADD COLUMN duration_band TEXT
    CHECK (duration_band IN ('lt3m', '3_12m', '1_5y', 'gt5y'));
ALTER TABLE users ADD COLUMN work TEXT
    CHECK (work IN ('work', 'study', 'both', 'none'));
ALTER TABLE users ADD COLUMN age_band TEXT
    CHECK (age_band IN ('16_24', '25_49', '50_64', '65_plus'));

-- A carer's question for a human mantelzorgconsulent (warm handover), for the coordinators of the
-- carer's own area (NULL: no area known, national coordinators). The answer comes in the same chat.
CREATE TABLE handovers (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    area_code TEXT REFERENCES areas(code) ON DELETE SET NULL,
    topic TEXT NOT NULL
        CHECK (topic IN ('respite', 'money', 'work', 'emotional', 'practical', 'other')),
    question TEXT NOT NULL CHECK (question <> '' AND length(question) <= 2000),
    language TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed')),
    created_at TEXT NOT NULL,
    due_at TEXT NOT NULL
);
CREATE INDEX handovers_user ON handovers (user_id);
CREATE INDEX handovers_open ON handovers (status, area_code, created_at);
