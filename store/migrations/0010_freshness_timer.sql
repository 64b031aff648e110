-- The weekly freshness check for coordinators (flows/coordinators/freshness.py): the first one on
-- the next Monday after today, at 08:00 UTC (9:00 in Amsterdam in winter); each run sets the next.
INSERT INTO schedule (kind, key, due_at, payload, created_at)
VALUES (
    'freshness',
    'first',
    strftime('%Y-%m-%dT08:00:00.000+00:00', 'now', '+1 day', 'weekday 1'),
    '{}',
    strftime('%Y-%m-%dT%H:%M:%S.000+00:00', 'now')
);
