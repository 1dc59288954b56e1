-- An adviser's account names the adviser whose diary is theirs (issue 10 point 3): the day page
-- shows that adviser's sessions. Only advisers have one; it may be left empty until an admin links it.
ALTER TABLE staff ADD COLUMN adviser_id uuid REFERENCES advisers(id);
ALTER TABLE staff ADD CONSTRAINT staff_adviser_only_for_advisers CHECK (adviser_id IS NULL OR role = 'adviser');
