-- Where a site is (issue 10 point 2): an area named by people (e.g. "South London"), and
-- optionally a point, so that a work coach's search can take the sites near their jobcentre:
-- the same area, or within a set distance. Coordinates are WGS84 degrees, both or neither.
ALTER TABLE sites ADD COLUMN area text CHECK (length(area) BETWEEN 1 AND 100);
ALTER TABLE sites ADD COLUMN latitude double precision CHECK (latitude BETWEEN -90 AND 90);
ALTER TABLE sites ADD COLUMN longitude double precision CHECK (longitude BETWEEN -180 AND 180);
ALTER TABLE sites ADD CONSTRAINT sites_point_whole CHECK ((latitude IS NULL) = (longitude IS NULL));

-- "Near" asks for one area (compared without case) and for the points in a box around the
-- jobcentre; the application then works out the exact distance.
CREATE INDEX sites_area_idx ON sites (lower(area)) WHERE area IS NOT NULL;
CREATE INDEX sites_point_idx ON sites (latitude, longitude) WHERE latitude IS NOT NULL;

-- A search reads the sessions of the advisers who work at the sites searched, wherever they
-- are (one elsewhere can run into a window here). By (adviser, start) that is one short range
-- per adviser; the exclusion constraint's GiST index took ~4x as long for 300 advisers.
CREATE INDEX sessions_adviser_start_idx ON sessions (adviser_id, starts_at);
