-- Everything the bot sends on its own (coordinator notifications, relayed answers, reminders,
-- broadcasts) is a row here, written in the same transaction as the change that causes it. One
-- sender per channel claims due rows with a lease, sends them and marks them. `unique_key` keeps
-- the same message from ever being queued twice. Times are UTC ISO 8601 strings. The payload is
-- emptied once the row is final: the text is only kept while it still has to be sent.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    payload TEXT NOT NULL,
    unique_key TEXT NOT NULL UNIQUE,
    not_before TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'sending', 'delivered', 'blocked', 'uncertain', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_until TEXT,
    created_at TEXT NOT NULL,
    done_at TEXT,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (channel, status, not_before);
CREATE INDEX outbox_recipient ON outbox (channel, recipient, id);

-- Erasing a user takes every message to them with it, sent or not.
CREATE TRIGGER outbox_forget_recipient AFTER DELETE ON users BEGIN
    DELETE FROM outbox WHERE channel = OLD.channel AND recipient = OLD.external_id;
END;

-- Long-lived timers: a row per thing that must happen at `due_at` (UTC), e.g. a handover that
-- passes its due time, or (later) a reminder. The scheduler sleeps until the next due row.
CREATE TABLE schedule (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    due_at TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'cancelled', 'failed')),
    created_at TEXT NOT NULL,
    done_at TEXT,
    UNIQUE (kind, key)
);
CREATE INDEX schedule_due ON schedule (status, due_at);
