-- English cost and opening hours for the carer-facing cards (the Dutch text stays in `cost` and
-- `opening_hours`; a card falls back to it, labelled, when the English one is empty).
ALTER TABLE resources ADD COLUMN cost_en TEXT NOT NULL DEFAULT '';
ALTER TABLE resources ADD COLUMN opening_hours_en TEXT NOT NULL DEFAULT '';

-- The national helplines that come with the schema: their hours in English too.
UPDATE resources SET opening_hours_en = '24/7'
 WHERE category = 'helpline' AND opening_hours = '24/7';
UPDATE resources SET opening_hours_en = 'weekdays'
 WHERE id = 'mantelzorglijn' AND opening_hours = 'werkdagen';
UPDATE resources SET opening_hours_en = 'every day, daytime and evening'
 WHERE id = 'dementielijn' AND opening_hours = 'elke dag, overdag en ''s avonds';
