-- The locks taken before seats (issue 11, the lean booking path): the sites shared, the
-- advisers, then the rooms of their patterns at those sites, in one round trip instead of
-- three. The order and the lock modes are SeatService.lockForSeats's (see its comment);
-- only where they run changes. It answers how many of the sites and advisers it found,
-- stopping at the first kind with one missing, so the caller can refuse the request
-- (UNKNOWN_SITE, UNKNOWN_ADVISER) as it did before.
CREATE FUNCTION lock_for_seats(site_ids uuid[], adviser_ids uuid[], OUT sites_found int, OUT advisers_found int)
LANGUAGE plpgsql AS $$
BEGIN
  advisers_found := 0;
  PERFORM 1 FROM sites WHERE id = ANY (site_ids) ORDER BY id FOR SHARE;
  GET DIAGNOSTICS sites_found = ROW_COUNT;
  IF sites_found < cardinality(site_ids) THEN
    RETURN;
  END IF;
  PERFORM 1 FROM advisers WHERE id = ANY (adviser_ids) ORDER BY id FOR NO KEY UPDATE;
  GET DIAGNOSTICS advisers_found = ROW_COUNT;
  IF advisers_found < cardinality(adviser_ids) THEN
    RETURN;
  END IF;
  PERFORM 1 FROM rooms
   WHERE id IN (SELECT room_id FROM diary_patterns WHERE adviser_id = ANY (adviser_ids) AND site_id = ANY (site_ids))
   ORDER BY id FOR NO KEY UPDATE;
END
$$;
