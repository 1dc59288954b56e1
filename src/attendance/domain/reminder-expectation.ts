import { HOUR } from '../../common/time/local-time';
import { scoreShow, scoreShowExpected, ShowModel, ShowScore } from './show-model';
import { ShowSignals } from './show-signals';

/**
 * A booking's reminder state says 'pending' both when no reminder will ever be due and when
 * one is due but has not gone yet. The model learned 'pending' from the first kind only:
 * bookings made under a day ahead, which history shows getting no reminder (the synthetic
 * history's definition, and the reminder plan's: its reminder goes days before). Scored as
 * 'pending', a booking made a week ahead would lose the lift of a reminder it will very likely
 * get, and everything that reads the score (overbooking's admission above all) would take
 * its customer as less likely to come than they are. Until the reminder's fate is known, such
 * a booking is scored at the reminder's expected effect instead.
 */

/** A booking arranged at least this long before its start has a reminder due. */
export const REMINDER_DUE_HOURS = 24;

/**
 * The share of due reminders delivered, where no training set says it: a model stored before
 * the share was stored with it (replaced by the next daily training), or a training set with
 * no due reminder in it (whose model has no reminder effect for the share to weigh). It is the
 * synthetic history's rate, which the demo and benchmark models are trained on.
 */
export const DEFAULT_REMINDER_DELIVERED_SHARE = 0.85;


export const reminderDue = (hoursAhead: number): boolean => hoursAhead >= REMINDER_DUE_HOURS;

/**
 * Of the rows that had a reminder due and whose reminders have a known fate, the share
 * delivered: what a booking with a reminder due can expect. Rows that say nothing of
 * reminders (imports) and due reminders still pending tell nothing of delivery.
 */
export function reminderDeliveredShare(rows: Iterable<{ bookedAt: number; start: number; reminder: ShowSignals['reminder'] | null }>): number {
  let delivered = 0;
  let settled = 0;
  for (const { bookedAt, start, reminder } of rows) {
    if (reminder === null || reminder === 'pending' || !reminderDue((start - bookedAt) / HOUR)) continue;
    settled++;
    if (reminder === 'delivered') delivered++;
  }
  return settled ? delivered / settled : DEFAULT_REMINDER_DELIVERED_SHARE;
}

/** What scoring needs to know of a booking's reminder besides its state. */
export interface ReminderOutlook {
  /** From when its present time was agreed to its start. */
  hoursAhead: number;
  /** Of due reminders, the share delivered (reminderDeliveredShare of the model's training rows). */
  deliveredShare: number;
}

/** Labels the reminder factor as an expectation, so that it claims no delivery that has not happened. */
export const EXPECTED_REMINDER_FACTOR = 'reminder due, not yet sent (expected effect)';

/**
 * A booking's score as it stands: its signals as they are, except that a reminder due and not
 * yet delivered or failed counts as delivered with the share's chance and failed otherwise.
 */
export function scoreBooking(model: ShowModel, signals: ShowSignals, outlook: ReminderOutlook): ShowScore {
  if (signals.reminder !== 'pending' || !reminderDue(outlook.hoursAhead)) return scoreShow(model, signals);
  return scoreShowExpected(
    model,
    [
      { signals: { ...signals, reminder: 'delivered' }, weight: outlook.deliveredShare },
      { signals: { ...signals, reminder: 'failed' }, weight: 1 - outlook.deliveredShare },
    ],
    { reminder: EXPECTED_REMINDER_FACTOR },
  );
}
