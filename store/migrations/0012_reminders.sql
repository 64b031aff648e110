-- Reminders a carer asked for (issue 9): their own, and a regular check-in. Each has one pending
-- timer in `schedule` (kind 'reminder', key = "<id>:<date>"); when it fires, the next one of
-- a repeating reminder is set in the same transaction. `local_time` is the wall-clock time in
-- MANTELBOT_TIMEZONE, so a weekly reminder stays at 19:00 across daylight-saving changes.
CREATE TABLE reminders (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('own', 'checkin')),
    text TEXT NOT NULL DEFAULT '',
    local_time TEXT NOT NULL,
    every_days INTEGER,
    next_at TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX reminders_user ON reminders (user_id);

-- A removed (or erased) reminder takes its timer with it.
CREATE TRIGGER reminders_unschedule AFTER DELETE ON reminders BEGIN
    DELETE FROM schedule WHERE kind = 'reminder' AND key LIKE OLD.id || ':%';
END;

-- Per carer: quiet hours (local wall-clock times; nothing is sent between them) and whether
-- they want broadcasts at all (/stop meldingen). No row: the defaults.
CREATE TABLE notification_settings (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    quiet_start TEXT NOT NULL DEFAULT '21:00',
    quiet_end TEXT NOT NULL DEFAULT '08:00',
    broadcasts INTEGER NOT NULL DEFAULT 1
);
