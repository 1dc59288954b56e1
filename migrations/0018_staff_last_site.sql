-- The jobcentre a work coach last searched from (issue 10: booking in at most 8 interactions).
-- Kept on the staff member rather than in the session or a cookie, so that it survives
-- signing out and a shared jobcentre PC. A site that goes takes only the preselection with it.
ALTER TABLE staff ADD COLUMN last_site_id uuid REFERENCES sites(id) ON DELETE SET NULL;
