-- A coordinator's news message to the carers of their areas (issue 9). One row per message;
-- each carer's copy is an outbox row that names it (`outbox.broadcast_id`), queued in the same
-- transaction as this row, so a message is never half-queued. The figures (delivered, blocked,
-- failed) are counted from those outbox rows. The text is the coordinator's own news, kept so
-- /beheer can list recent messages; it never holds anything about a carer.
CREATE TABLE broadcasts (
    id INTEGER PRIMARY KEY,
    created_by INTEGER REFERENCES users (id) ON DELETE CASCADE,
    areas TEXT NOT NULL DEFAULT '',  -- ';'-separated area codes; '' = every carer (admin)
    category TEXT,  -- only carers who asked for news on this resource category; NULL: all
    text TEXT NOT NULL,
    recipients INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX broadcasts_by ON broadcasts (created_by, id);

-- Which broadcast an outbox row is a copy of, and, for a progress message the bot keeps up to
-- date, which earlier row's message it changes (`edits`, that row's unique_key) and the channel's
-- own id of a message once it was sent (`sent_ref`, e.g. Telegram's message_id).
ALTER TABLE outbox ADD COLUMN broadcast_id INTEGER;
ALTER TABLE outbox ADD COLUMN edits TEXT;
ALTER TABLE outbox ADD COLUMN sent_ref TEXT;
CREATE INDEX outbox_broadcast ON outbox (broadcast_id, status) WHERE broadcast_id IS NOT NULL;

-- The resource categories a carer wants news about ("Nieuws over …" under Herinneringen).
-- Only with consent (a row needs a user); erasure takes them with the user.
CREATE TABLE news_categories (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    PRIMARY KEY (user_id, category)
) WITHOUT ROWID;

-- Finding the carers of some areas for a broadcast without reading every user.
CREATE INDEX users_home_area ON users (home_area);
CREATE INDEX users_care_area ON users (care_area);
