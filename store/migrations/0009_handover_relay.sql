-- Handovers become conversations: a coordinator of the carer's area claims the question, and
-- messages go back and forth through the bot until either side closes it. The carer's chat id
-- is never shown to the coordinator: the coordinator's side only knows the handover's number.
-- The table is rebuilt because SQLite cannot change a CHECK ('answered' becomes 'claimed').
CREATE TABLE handovers_new (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    area_code TEXT REFERENCES areas(code) ON DELETE SET NULL,
    topic TEXT NOT NULL
        CHECK (topic IN ('respite', 'money', 'work', 'emotional', 'practical', 'other')),
    question TEXT NOT NULL CHECK (question <> '' AND length(question) <= 2000),
    language TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'claimed', 'closed')),
    created_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    claimed_by INTEGER REFERENCES coordinators(user_id) ON DELETE SET NULL,
    claimed_at TEXT,
    answered_at TEXT,
    closed_at TEXT,
    closed_by TEXT CHECK (closed_by IN ('carer', 'coordinator'))
);
INSERT INTO handovers_new (id, user_id, area_code, topic, question, language, status, created_at,
                           due_at)
SELECT id, user_id, area_code, topic, question, language,
       CASE status WHEN 'answered' THEN 'claimed' ELSE status END, created_at, due_at
FROM handovers;
DROP TABLE handovers;
ALTER TABLE handovers_new RENAME TO handovers;
CREATE INDEX handovers_user ON handovers (user_id);
CREATE INDEX handovers_open ON handovers (status, area_code, created_at);

-- What the carer and the coordinator wrote to each other (part of the carer's data: erased and
-- exported with them).
CREATE TABLE handover_messages (
    id INTEGER PRIMARY KEY,
    handover_id INTEGER NOT NULL REFERENCES handovers(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    author TEXT NOT NULL CHECK (author IN ('carer', 'coordinator')),
    coordinator_id INTEGER REFERENCES coordinators(user_id) ON DELETE SET NULL,
    body TEXT NOT NULL CHECK (body <> '' AND length(body) <= 2000),
    created_at TEXT NOT NULL
);
CREATE INDEX handover_messages_handover ON handover_messages (handover_id, id);

-- Coordinators' internal notes: never shown or sent to the carer; gone when the handover is.
CREATE TABLE handover_notes (
    id INTEGER PRIMARY KEY,
    handover_id INTEGER NOT NULL REFERENCES handovers(id) ON DELETE CASCADE,
    coordinator_id INTEGER REFERENCES coordinators(user_id) ON DELETE SET NULL,
    body TEXT NOT NULL CHECK (body <> '' AND length(body) <= 2000),
    created_at TEXT NOT NULL
);
CREATE INDEX handover_notes_handover ON handover_notes (handover_id, id);

-- Messages about a handover (notifications, relayed texts) go when the handover goes.
ALTER TABLE outbox ADD COLUMN handover_id INTEGER REFERENCES handovers(id) ON DELETE CASCADE;
CREATE INDEX outbox_handover ON outbox (handover_id);

-- When a carer is erased their handovers go; only the number, the area and who claimed it stay,
-- so a coordinator who opens it is told it was erased instead of "not found".
CREATE TABLE handover_erasures (
    handover_id INTEGER PRIMARY KEY,
    area_code TEXT,
    claimed_by INTEGER,
    erased_at TEXT NOT NULL
);
CREATE TRIGGER handovers_erased AFTER DELETE ON handovers BEGIN
    INSERT OR REPLACE INTO handover_erasures (handover_id, area_code, claimed_by, erased_at)
    VALUES (OLD.id, OLD.area_code, OLD.claimed_by, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
    UPDATE schedule SET status = 'cancelled'
    WHERE kind = 'handover.due' AND key = CAST(OLD.id AS TEXT) AND status = 'pending';
END;
