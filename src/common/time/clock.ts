/**
 * The service's one source of "now". Every decision that depends on the date or the time of
 * day reads it, never Date.now() or PostgreSQL's now(), so the whole service can be run at
 * another instant: the tests run it at a fixed date, whatever the machine's clock says, and
 * CLOCK_OFFSET_MS shifts it the same way in every process of a deployment.
 */
export class Clock {
  constructor(protected offsetMs = 0) {}

  now(): number {
    return Date.now() + this.offsetMs;
  }

  date(): Date {
    return new Date(this.now());
  }
}
