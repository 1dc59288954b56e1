/**
 * What is known about a booking when its show probability is estimated: at booking time,
 * and again when a signal arrives (a reminder delivered or failed, the customer confirming,
 * a reschedule). Training rows carry the same fields as they stood at the time, so the
 * model never learns from what it could not have known.
 */
export interface ShowSignals {
  /** The customer's earlier appointments that have an outcome (late cancellations left out). */
  history: { showed: number; missed: number };
  /** The site's show rate (smoothed), the prior that a short customer history is pulled toward. */
  siteShowRate: number;
  /** Whole days from booking to the appointment (0 = same day). */
  leadDays: number;
  referralSource: 'jcp' | 'partner' | 'self';
  mandatory: boolean;
  appointmentType: string;
  channel: 'face_to_face' | 'telephone' | 'video';
  /** ISO weekday of the appointment in the site's zone, 1 = Monday. */
  weekday: number;
  /** Local hour of the appointment's start, 0-23. */
  hour: number;
  /**
   * Where the reminders stand: none delivered or failed yet, at least one delivered, or all so
   * far failed. History's 'pending' rows are bookings made under a day ahead, which get no
   * reminder; a booking still waiting for one is scored by scoreBooking (reminder-expectation).
   */
  reminder: 'pending' | 'delivered' | 'failed';
  /** The customer said they will come (a reply to a reminder). */
  confirmed: boolean;
}

/** A training or evaluation example: the signals and whether the customer turned up. */
export interface ShowExample {
  signals: ShowSignals;
  showed: 0 | 1;
}
