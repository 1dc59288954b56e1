import { DateTime } from 'luxon';
import { spokenTime } from '../format';

export interface ReminderStep {
  step: string;
  sendAt: Date | null;
  status: string;
}

/** A GOV.UK tag: its words and its colour class. */
export interface Tag {
  text: string;
  classes: string;
}

// The messages that remind; the confirmation and a cancellation notice say nothing of whether the customer was reminded.
const REMINDING = new Set(['days_before', 'same_day']);
const LIVE = (s: ReminderStep) => REMINDING.has(s.step) && !['cancelled', 'superseded', 'skipped'].includes(s.status);
const GONE: Record<string, Tag> = {
  sent: { text: 'Sent', classes: 'govuk-tag--green' },
  unconfirmed: { text: 'Sent, delivery not confirmed', classes: 'govuk-tag--yellow' },
  failed: { text: 'Not delivered', classes: 'govuk-tag--red' },
};

const shortWhen = (at: Date, zone: string) => {
  const local = DateTime.fromJSDate(at, { zone });
  return `${local.toFormat('ccc d LLL')} at ${spokenTime(local)}`;
};

/**
 * Whether the customer was reminded, in a word for the adviser's list: the latest reminder
 * that has gone and how it went, else when the next one is due. A customer whose reminder
 * failed is the one worth a phone call before the session.
 */
export function reminderStatus(steps: ReminderStep[], zone: string, now: number): Tag {
  const live = steps.filter(LIVE).sort((a, b) => (a.sendAt?.getTime() ?? Infinity) - (b.sendAt?.getTime() ?? Infinity));
  const gone = live.filter((s) => GONE[s.status]).pop();
  if (gone) return { ...GONE[gone.status], text: gone.sendAt && gone.status === 'sent' ? `Sent ${shortWhen(gone.sendAt, zone)}` : GONE[gone.status].text };
  const next = live.find((s) => s.sendAt);
  // Still waiting after its time: the queue is behind or the site's quiet hours held it back.
  if (next && next.sendAt!.getTime() < now) return { text: `Not sent yet (due ${shortWhen(next.sendAt!, zone)})`, classes: 'govuk-tag--yellow' };
  if (next) return { text: `Due ${shortWhen(next.sendAt!, zone)}`, classes: 'govuk-tag--blue' };
  return { text: 'No reminder', classes: 'govuk-tag--grey' };
}
