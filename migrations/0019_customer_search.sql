-- Finding a customer's bookings by what a work coach typed (issue 10): each way of matching
-- gets an index, so the search no longer scans every client's customers.

-- The reference, matched whole whatever its case.
CREATE INDEX customers_reference_lower_idx ON customers (lower(reference));

-- Part of the name: no btree serves ILIKE '%…%' (and pg_trgm is not on PGlite), so the
-- search reads the names of the organisation's own customers from this index alone.
CREATE INDEX customers_client_name_idx ON customers (client_id, name) INCLUDE (id);
