-- Whether the replies of a user's last turn reached them, and the channel's number of the update
-- that turn answered: after a crash a carer is shown the question again instead of having their
-- next message read against a question they never saw, and an update fetched twice is not
-- answered twice.
ALTER TABLE conversation_state ADD COLUMN delivered INTEGER NOT NULL DEFAULT 1;
ALTER TABLE conversation_state ADD COLUMN last_update INTEGER;
