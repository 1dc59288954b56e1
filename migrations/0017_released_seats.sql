-- A seat offered to the waitlist beside a booking likely to be missed (issue 9 point 4).
-- The site never cancels a customer's booking on a prediction: a manager "releases" it,
-- which offers one extra seat in its session to those waiting, and the booking stands.

-- The release is an event on the booking (who, when), once per booking.
ALTER TABLE booking_events DROP CONSTRAINT booking_events_kind_check;
ALTER TABLE booking_events ADD CONSTRAINT booking_events_kind_check
  CHECK (kind IN ('created', 'held', 'rescheduled', 'cancelled', 'flagged_for_rebooking', 'outcome_recorded', 'outcome_corrected',
                  'reminder_sent', 'reminder_delivered', 'reminder_failed', 'customer_confirmed', 'released'));
CREATE UNIQUE INDEX booking_events_released_once ON booking_events (booking_id) WHERE kind = 'released';

-- An offer of an extra seat beside freed_booking_id (still booked), rather than of its seat:
-- whoever takes it is booked as an extra within the site's caps.
ALTER TABLE waitlist_offers ADD COLUMN extra boolean NOT NULL DEFAULT false;
