import { BookingChange, webhookBody, webhookEventsFor, webhookId } from './events';

const change = (kind: string, data: Record<string, unknown> = {}, actorType = 'organisation'): BookingChange => ({ bookingId: 'b1', kind, actorType, data });

describe('webhookEventsFor', () => {
  it.each<[string, BookingChange, unknown]>([
    ['a booking', change('created', { start: '2027-01-04T09:00:00.000Z' }), [{ type: 'booking.created', data: { bookingId: 'b1', start: '2027-01-04T09:00:00.000Z' } }]],
    [
      'a move by a work coach',
      change('rescheduled', { from: { start: 'a' }, to: { start: 'b' } }),
      [{ type: 'booking.rescheduled', data: { bookingId: 'b1', from: { start: 'a' }, to: { start: 'b' } } }],
    ],
    [
      'a move the customer asked for by text',
      change('rescheduled', { from: { start: 'a' }, to: { start: 'b' } }, 'customer'),
      [
        { type: 'customer.replied', data: { bookingId: 'b1', reply: 'move', via: null } },
        { type: 'booking.rescheduled', data: { bookingId: 'b1', from: { start: 'a' }, to: { start: 'b' } } },
      ],
    ],
    ['a cancellation', change('cancelled', { by: 'service', reason: 'Adviser ill', start: 's' }), [{ type: 'booking.cancelled', data: { bookingId: 'b1', by: 'service', reason: 'Adviser ill', start: 's' } }]],
    [
      'a NO by text',
      change('cancelled', { by: 'customer', reason: 'Replied to a reminder by text', start: 's' }, 'customer'),
      [
        { type: 'customer.replied', data: { bookingId: 'b1', reply: 'cancel', via: null } },
        { type: 'booking.cancelled', data: { bookingId: 'b1', by: 'customer', reason: 'Replied to a reminder by text', start: 's' } },
      ],
    ],
    ['a YES by text', change('customer_confirmed', { via: 'sms', inboundMessageId: 'm1' }, 'customer'), [{ type: 'customer.replied', data: { bookingId: 'b1', reply: 'confirm', via: 'sms' } }]],
    ['an outcome (its note stays with us)', change('outcome_recorded', { outcome: 'dna', note: 'phoned twice', previous: null }), [{ type: 'booking.outcome_recorded', data: { bookingId: 'b1', outcome: 'dna', previous: null } }]],
    ['a corrected outcome', change('outcome_corrected', { outcome: 'attended', note: null, previous: 'dna' }), [{ type: 'booking.outcome_recorded', data: { bookingId: 'b1', outcome: 'attended', previous: 'dna' } }]],
    ['a reminder that failed', change('reminder_failed', { step: 'day_before', reason: 'ALL_CHANNELS_FAILED' }, 'system'), [{ type: 'reminder.failed', data: { bookingId: 'b1', step: 'day_before', reason: 'ALL_CHANNELS_FAILED' } }]],
    ['a hold', change('held', { holdId: 'h1' }), []],
    ['a reminder sent', change('reminder_sent', {}, 'system'), []],
    ['a reminder delivered', change('reminder_delivered', {}, 'system'), []],
    ['a flag for rebooking', change('flagged_for_rebooking', {}, 'system'), []],
  ])('%s', (_, input, expected) => {
    expect(webhookEventsFor(input)).toEqual(expected);
  });
});

describe('webhookId and webhookBody', () => {
  it('an id without the full stop the signed content is separated by', () => {
    expect(webhookId('2f1c9e0b-6d4a-4c1e-9b7a-3d5f8e2c1a0b')).toBe('msg_2f1c9e0b6d4a4c1e9b7a3d5f8e2c1a0b');
  });

  it("a body in the specification's shape, with the booking's sequence", () => {
    const body = webhookBody({ type: 'booking.created', occurredAt: Date.parse('2027-01-04T09:00:00Z'), sequence: 7, data: { bookingId: 'b1', start: 's' } });
    expect(JSON.parse(body)).toEqual({ type: 'booking.created', timestamp: '2027-01-04T09:00:00.000Z', data: { bookingId: 'b1', start: 's', sequence: 7 } });
  });
});
