-- Extras admitted beyond a session's capacity (issue 8) are counted apart from its seats, so
-- that the backstop booked <= capacity still holds for every booking given a seat of its own,
-- whatever a policy allows. A booking is an extra from the moment it is written (bookings
-- sets overbooked when the session was full), so the counts never pass through a state the
-- constraints refuse; overbooking's handler of the booking's event then admits or refuses it.
ALTER TABLE sessions
  -- The policy bounds cap extras per session at 10 (POLICY_BOUNDS.maxExtraPerSession).
  ADD COLUMN extras integer NOT NULL DEFAULT 0 CONSTRAINT sessions_extras_within_bounds CHECK (extras BETWEEN 0 AND 10);

CREATE OR REPLACE FUNCTION sessions_count_bookings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.session_id IS NOT DISTINCT FROM NEW.session_id AND OLD.overbooked = NEW.overbooked THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.session_id IS NOT NULL THEN
    UPDATE sessions SET booked = booked - (NOT OLD.overbooked)::int, extras = extras - OLD.overbooked::int WHERE id = OLD.session_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.session_id IS NOT NULL THEN
    UPDATE sessions SET booked = booked + (NOT NEW.overbooked)::int, extras = extras + NEW.overbooked::int WHERE id = NEW.session_id;
  END IF;
  RETURN NULL;
END
$$;

DROP TRIGGER bookings_count_in_sessions ON bookings;
CREATE TRIGGER bookings_count_in_sessions AFTER INSERT OR DELETE OR UPDATE OF session_id, overbooked ON bookings
  FOR EACH ROW EXECUTE FUNCTION sessions_count_bookings();
