-- The audit log is append-only for the application: the database itself refuses to change or
-- remove a row, so no code path (and no mistake) can rewrite history.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- The areas a change concerned (before and after), `;`-separated with a `;` on both ends, so a
-- coordinator's view can show the changes in their areas only.
ALTER TABLE audit_log ADD COLUMN areas TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_log_at ON audit_log (at);

-- Which kinds of help carers looked for, per district, for the coordinators' statistics.
-- Like unmet_needs: an area, a category and a date only, never linked to a user.
CREATE TABLE help_asked (
    id INTEGER PRIMARY KEY,
    area_code TEXT NOT NULL REFERENCES areas(code) ON UPDATE CASCADE ON DELETE CASCADE,
    category TEXT NOT NULL,
    asked_on TEXT NOT NULL
);
CREATE INDEX help_asked_area ON help_asked (area_code, category, asked_on);
