-- Overlap mode (issue 8): a session booked under an overlap policy is busy only until
-- overlapMinutes before it ends, so that the exclusion constraints let the next one start
-- while it may still be running (busySpan in src/slots/domain/slots.ts). Its busy range
-- still starts with it and ends after it starts, and ends before it by no more than the
-- longest overlap a policy allows (POLICY_BOUNDS.overlapMinutes.max). An empty or
-- unbounded range has null bounds, which a CHECK would let through: hence the coalesce.
ALTER TABLE sessions
  DROP CONSTRAINT sessions_check1,
  ADD CONSTRAINT sessions_busy_from_start CHECK (
    coalesce(lower(busy) = starts_at AND upper(busy) > starts_at AND upper(busy) >= ends_at - interval '60 minutes', false)
  );
