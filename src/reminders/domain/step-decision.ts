import { channelOrder, Contact, MessageChannel } from './channels';
import { DEFAULT_REMINDER_POLICY, MessageStep, nextAllowedTime, ReminderPolicy } from './reminder-plan';

/** What a claim knows of one step, read with the step locked. */
export interface StepFacts {
  status: string;
  version: number;
  step: MessageStep;
  bookingStatus: string;
  planVersion: number;
  needsRebooking: boolean;
  start: number;
  zone: string;
  policy: ReminderPolicy | null;
  contact: Contact;
  /** The step's messages so far, one per channel at most. */
  tried: { channel: MessageChannel; status: string }[];
}

/**
 * What to do with a step now:
 * - `settled`: already finished (by another worker, a callback, a cancellation); nothing to write;
 * - `finish`: finish it with this status and reason; `lost` when a worker died mid-call
 *   (its message becomes 'unknown', never sent again); `failedEvent` when every channel failed;
 * - `deferUntil`: quiet hours; the job waits until then;
 * - `send`: claim this channel.
 */
export type StepDecision =
  | { settled: string }
  | { finish: 'superseded' | 'cancelled' | 'skipped' | 'failed' | 'unconfirmed'; reason: string | null; lost?: true; failedEvent?: true }
  | { deferUntil: number }
  | { send: MessageChannel };

const FINISHED = new Set(['sent', 'unconfirmed', 'failed', 'skipped', 'cancelled', 'superseded']);

/**
 * The rules a step is checked against each time it is claimed: the plan it belongs to is
 * still the booking's, the booking is as the step needs it, the appointment is still
 * ahead, it is not quiet hours at the site, and there is a channel not yet tried.
 */
export function decideStep(facts: StepFacts, now: number): StepDecision {
  if (FINISHED.has(facts.status)) return { settled: facts.status };
  if (facts.version !== facts.planVersion) return { finish: 'superseded', reason: null };
  const cancellation = facts.step === 'cancellation';
  if (facts.bookingStatus !== (cancellation ? 'cancelled' : 'booked')) return { finish: 'cancelled', reason: null };
  if (facts.needsRebooking && !cancellation) return { finish: 'skipped', reason: 'NEEDS_REBOOKING' };
  if (facts.start <= now) return { finish: 'skipped', reason: 'PASSED' };

  // A job can come due in quiet hours when the queue was down or the worker behind.
  const allowed = nextAllowedTime(now, facts.zone, facts.policy ?? DEFAULT_REMINDER_POLICY);
  if (allowed >= facts.start) return { finish: 'skipped', reason: 'AFTER_APPOINTMENT' };
  if (allowed > now) return { deferUntil: allowed };

  // Claimed by a worker that died before it heard back from the provider (or, rarely, one
  // still waiting for it, which then records the provider's answer over this).
  if (facts.tried.some((m) => m.status === 'sending')) return { finish: 'unconfirmed', reason: 'WORKER_LOST', lost: true };
  const channel = channelOrder(facts.contact).find((c) => !facts.tried.some((m) => m.channel === c));
  if (channel) return { send: channel };
  return facts.tried.length ? { finish: 'failed', reason: 'ALL_CHANNELS_FAILED', failedEvent: true } : { finish: 'skipped', reason: 'NO_CHANNEL' };
}
