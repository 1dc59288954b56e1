import { Clock } from '../../src/common/time/clock';

/**
 * The instant every test file starts at, whatever the machine's date and hour: the app under
 * test is given CLOCK_OFFSET_MS so that its clock reads this when the file is loaded, and
 * runs on from there. Monday 30 November 2026, 12:00 in London: before every date the tests
 * book, a working day that is no bank holiday, and far from quiet hours and from midnight.
 * Dates written in tests are therefore always in the future of the app, however late the
 * suite is run.
 */
export const TEST_EPOCH = Date.parse('2026-11-30T12:00:00Z');

/** Added to the machine's clock by every app, worker and service a test starts. */
export const CLOCK_OFFSET_MS = TEST_EPOCH - Date.now();

/** The tests' own view of "now": the same clock as the app's. */
export const testClock = new Clock(CLOCK_OFFSET_MS);

/** A clock a test can move on, to see what happens once an appointment has started. */
export class SteppedClock extends Clock {
  constructor() {
    super(CLOCK_OFFSET_MS);
  }

  /** From now on the clock reads `instant`, and runs on from there. */
  set(instant: number): void {
    this.offsetMs += instant - this.now();
  }
}

/** An instant of the machine's clock (BullMQ stamps jobs with it) as the app's clock reads it. */
export const onAppClock = (machineInstant: number) => machineInstant + CLOCK_OFFSET_MS;
