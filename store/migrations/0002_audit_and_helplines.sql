-- Every change to resources and areas, by whom (a coordinator, or `cli` for an import).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

-- The national helplines of the crisis route (real data, not example data). `last_verified` stays
-- empty until a coordinator has checked each number at its source.
INSERT INTO resources (id, name, category, functions, description_nl, description_en,
                       first_step_nl, first_step_en, phone, url, opening_hours, source) VALUES
('alarmnummer-112', 'Alarmnummer 112', 'helpline', 'verlichten',
 'Is er direct gevaar voor iemands leven? Bel 112.',
 'Is someone''s life in danger right now? Call 112.',
 'Bel 112.', 'Call 112.', '112', 'https://www.rijksoverheid.nl/onderwerpen/alarmnummer-112',
 '24/7', 'rijksoverheid.nl'),
('zelfmoordpreventie-113', '113 Zelfmoordpreventie', 'helpline', 'verlichten',
 'Denk je aan zelfmoord, of maak je je zorgen om iemand? Praat anoniem met 113.',
 'Are you thinking about suicide, or worried about someone? Talk to 113, anonymously.',
 'Bel 113 of gratis 0800-0113, of chat op 113.nl.',
 'Call 113 or 0800-0113 (free), or chat on 113.nl.', '113', 'https://www.113.nl',
 '24/7', '113.nl'),
('mantelzorglijn', 'Mantelzorglijn (MantelzorgNL)', 'helpline', 'verlichten;versterken',
 'Voor al je vragen als mantelzorger. Je kunt ook je verhaal kwijt.',
 'For all your questions as a carer. You can also just tell your story.',
 'Bel, app of mail de Mantelzorglijn.', 'Call, WhatsApp or e-mail the Mantelzorglijn.',
 '030 760 60 55', 'https://www.mantelzorg.nl/contact', 'werkdagen',
 'mantelzorg.nl/contact (controleer: een andere bron noemt 030-205 90 59)'),
('dementielijn', 'DementieLijn (Alzheimer Nederland)', 'helpline', 'verlichten;versterken',
 'Voor vragen over dementie en voor steun als je zorgt voor iemand met dementie.',
 'For questions about dementia and support when you care for someone with dementia.',
 'Bel gratis 0800-5088.', 'Call 0800-5088 (free).', '0800-5088',
 'https://www.alzheimer-nederland.nl', 'elke dag, overdag en ''s avonds',
 'alzheimer-nederland.nl'),
('de-luisterlijn', 'De Luisterlijn', 'helpline', 'verlichten',
 'Wil je met iemand praten? De Luisterlijn luistert, dag en nacht.',
 'Do you want to talk to someone? De Luisterlijn listens, day and night.',
 'Bel 088 0767 000 of chat op deluisterlijn.nl.', 'Call 088 0767 000 or chat on deluisterlijn.nl.',
 '088 0767 000', 'https://www.deluisterlijn.nl', '24/7', 'deluisterlijn.nl'),
('veilig-thuis', 'Veilig Thuis', 'helpline', 'verlichten',
 'Bij geweld, misbruik of verwaarlozing thuis. Ook als je twijfelt.',
 'For violence, abuse or neglect at home. Also when you are not sure.',
 'Bel gratis 0800-2000.', 'Call 0800-2000 (free).', '0800-2000', 'https://www.veiligthuis.nl',
 '24/7', 'veiligthuis.nl');

INSERT INTO resource_areas (resource_id, area_code, category)
SELECT id, 'nl', category FROM resources WHERE category = 'helpline';
