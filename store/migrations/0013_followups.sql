-- Follow-up after a referral (issue 9): a few days after the bot showed respite or a course, it
-- asks whether the carer could reach it. The answer is kept for the statistics without any link
-- to the person (only the kind of help, the district and the day), so it stays after erasure.
CREATE TABLE followup_answers (
    id INTEGER PRIMARY KEY,
    category TEXT NOT NULL,
    area_code TEXT,
    answer TEXT NOT NULL CHECK (answer IN ('yes', 'not_yet', 'no')),
    day TEXT NOT NULL
);

-- The follow-up timers are keyed "<user id>:<category>": erasing the user takes them with them.
CREATE TRIGGER followups_forget_user AFTER DELETE ON users BEGIN
    DELETE FROM schedule WHERE kind = 'followup' AND key LIKE OLD.id || ':%';
END;
