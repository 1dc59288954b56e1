import { addDays, localClockOf, localToInstant, MINUTE, minutesOfDay } from '../../common/time/local-time';

/** A site's reminder policy; DEFAULT_REMINDER_POLICY applies where a site has none. */
export interface ReminderPolicy {
  /** Days before the appointment for the first reminder, 0 for none. */
  daysBefore: number;
  /** Local time at which that reminder goes, e.g. "10:00". */
  daysBeforeAt: string;
  /** Hours before the appointment for the same-day reminder, 0 for none. */
  hoursBefore: number;
  /** No message between these local times (the span may cross midnight). */
  quietFrom: string;
  quietUntil: string;
  /** A reminder closer than this to the step before it says nothing new, and is dropped. */
  minimumGapMinutes: number;
}

export const DEFAULT_REMINDER_POLICY: ReminderPolicy = {
  daysBefore: 2,
  daysBeforeAt: '10:00',
  hoursBefore: 3,
  quietFrom: '20:00',
  quietUntil: '08:00',
  minimumGapMinutes: 60,
};

export type ReminderStep = 'confirmation' | 'days_before' | 'same_day';
/** Every message about a booking: the reminder steps, and word of a cancellation. */
export const MESSAGE_STEPS = ['confirmation', 'days_before', 'same_day', 'cancellation'] as const;
export type MessageStep = (typeof MESSAGE_STEPS)[number];

export type SkipReason = 'PASSED' | 'AFTER_APPOINTMENT' | 'TOO_CLOSE' | 'OFF' | 'NOTHING_SENT' | 'ANSWERED_BY_REPLY';
export type PlannedStep = { step: MessageStep; sendAt: number } | { step: MessageStep; skipped: SkipReason };

function inQuietHours(minutes: number, policy: ReminderPolicy): boolean {
  const from = minutesOfDay(policy.quietFrom);
  const until = minutesOfDay(policy.quietUntil);
  return from <= until ? minutes >= from && minutes < until : minutes >= from || minutes < until;
}

/** The first instant at or after `instant` outside quiet hours, on the site's wall clock. */
export function nextAllowedTime(instant: number, zone: string, policy: ReminderPolicy): number {
  const { date, minutes } = localClockOf(instant, zone);
  if (!inQuietHours(minutes, policy)) return instant;
  // Quiet hours end on the same local day if we are before their end, else the next day.
  const endsToday = minutes < minutesOfDay(policy.quietUntil);
  const ends = localToInstant(zone, endsToday ? date : addDays(date, 1), policy.quietUntil);
  return Math.max(ends, instant);
}

/**
 * When each message about a booking goes: a confirmation now, a reminder some days
 * before at a civil hour, and one on the day a few hours before. Nothing goes in quiet
 * hours (it waits for them to end, and is dropped if that is after the appointment),
 * nothing goes for a time already past, and a reminder hard on the heels of the step
 * before is dropped. Wall-clock times are the site's, so 10:00 stays 10:00 across the
 * clock changes.
 */
export function planReminders(input: { bookedAt: number; start: number; zone: string; policy?: ReminderPolicy }): PlannedStep[] {
  const policy = input.policy ?? DEFAULT_REMINDER_POLICY;
  const { bookedAt, start, zone } = input;
  const startDate = localClockOf(start, zone).date;
  const wanted: { step: ReminderStep; at: number | null }[] = [
    { step: 'confirmation', at: bookedAt },
    { step: 'days_before', at: policy.daysBefore > 0 ? localToInstant(zone, addDays(startDate, -policy.daysBefore), policy.daysBeforeAt) : null },
    { step: 'same_day', at: policy.hoursBefore > 0 ? start - policy.hoursBefore * 60 * MINUTE : null },
  ];
  const plan: PlannedStep[] = [];
  let previous: number | null = null;
  for (const { step, at } of wanted) {
    if (at === null) {
      plan.push({ step, skipped: 'OFF' });
      continue;
    }
    if (step !== 'confirmation' && at < bookedAt) {
      plan.push({ step, skipped: 'PASSED' });
      continue;
    }
    const sendAt = nextAllowedTime(at, zone, policy);
    if (sendAt >= start) {
      plan.push({ step, skipped: 'AFTER_APPOINTMENT' });
      continue;
    }
    if (previous !== null && sendAt - previous < policy.minimumGapMinutes * MINUTE) {
      plan.push({ step, skipped: 'TOO_CLOSE' });
      continue;
    }
    plan.push({ step, sendAt });
    previous = sendAt;
  }
  return plan;
}

/**
 * Why no word of a cancellation goes at all, whatever the hour: the customer has heard
 * nothing of the booking yet (made and cancelled within moments), or cancelled it by text,
 * and the answer to that text said it is cancelled: a notice would be a second text saying so.
 */
export function cancellationWithheld(input: { anythingSent: boolean; byTextReply: boolean }): SkipReason | null {
  if (!input.anythingSent) return 'NOTHING_SENT';
  return input.byTextReply ? 'ANSWERED_BY_REPLY' : null;
}

/**
 * When word of a cancellation goes: straight away, or when quiet hours end. Not at all
 * once the appointment time has come, when it no longer tells the customer anything.
 */
export function planCancellation(input: { cancelledAt: number; start: number; zone: string; policy?: ReminderPolicy }): PlannedStep {
  const sendAt = nextAllowedTime(input.cancelledAt, input.zone, input.policy ?? DEFAULT_REMINDER_POLICY);
  return sendAt >= input.start ? { step: 'cancellation', skipped: 'AFTER_APPOINTMENT' } : { step: 'cancellation', sendAt };
}
