import fc from 'fast-check';
import { advanceStatus, DELIVERY_STATUSES, DeliveryStatus, fromTwilioStatus, isFailure, smsFailureKind } from './delivery-status';

const RUNS = { numRuns: 300 };

// A message's life as Twilio reports it, stage by stage, transcribed here rather than
// read from the module: statuses on one stage are as far along as each other.
const STAGES: DeliveryStatus[][] = [['sending', 'unknown'], ['accepted'], ['queued'], ['sent'], ['delivered', 'undelivered', 'failed'], ['read']];
const stage = (status: DeliveryStatus) => STAGES.findIndex((s) => s.includes(status));
const FINAL: DeliveryStatus[] = ['delivered', 'undelivered', 'failed'];

const status = fc.constantFrom(...DELIVERY_STATUSES);
const fold = (statuses: DeliveryStatus[]) => statuses.reduce(advanceStatus, 'sending' as DeliveryStatus);

/** A sequence of callbacks and the same callbacks in another order. */
const reordered = fc
  .array(status, { minLength: 1, maxLength: 12 })
  .chain((statuses) => fc.tuple(fc.constant(statuses), fc.shuffledSubarray(statuses, { minLength: statuses.length, maxLength: statuses.length })));

describe('advanceStatus', () => {
  it.each<[DeliveryStatus, DeliveryStatus, DeliveryStatus]>([
    ['sending', 'accepted', 'accepted'],
    ['accepted', 'queued', 'queued'],
    ['queued', 'sent', 'sent'],
    ['sent', 'delivered', 'delivered'],
    ['delivered', 'read', 'read'],
    ['sent', 'failed', 'failed'],
    ['unknown', 'delivered', 'delivered'],
    // Twilio can post "sent" after "delivered": the late one must not undo the outcome.
    ['delivered', 'sent', 'delivered'],
    ['failed', 'queued', 'failed'],
    ['read', 'delivered', 'read'],
    ['delivered', 'failed', 'delivered'],
    ['failed', 'delivered', 'failed'],
    ['undelivered', 'failed', 'undelivered'],
    ['sent', 'sent', 'sent'],
  ])('%s then %s is %s', (current, incoming, expected) => {
    expect(advanceStatus(current, incoming)).toBe(expected);
  });

  describe('properties', () => {
    it('is always one of the two statuses it was given', () => {
      fc.assert(
        fc.property(status, status, (current, incoming) => {
          expect([current, incoming]).toContain(advanceStatus(current, incoming));
        }),
        RUNS,
      );
    });

    it('never moves back a stage', () => {
      fc.assert(
        fc.property(status, status, (current, incoming) => {
          expect(stage(advanceStatus(current, incoming))).toBe(Math.max(stage(current), stage(incoming)));
        }),
        RUNS,
      );
    });

    it('ends on the same stage whatever order the same callbacks arrive in', () => {
      fc.assert(
        fc.property(reordered, ([statuses, shuffled]) => {
          const furthest = Math.max(0, ...statuses.map(stage));
          expect(stage(fold(statuses))).toBe(furthest);
          expect(stage(fold(shuffled))).toBe(furthest);
        }),
        RUNS,
      );
    });

    it('keeps the first final outcome: a later different one does not overwrite it', () => {
      fc.assert(
        fc.property(fc.constantFrom(...FINAL), fc.constantFrom(...FINAL), (first, later) => {
          expect(advanceStatus(first, later)).toBe(first);
        }),
        RUNS,
      );
    });

    it('keeps a final outcome through any number of late, earlier-stage callbacks', () => {
      const early = fc.constantFrom<DeliveryStatus>('sending', 'unknown', 'accepted', 'queued', 'sent');
      fc.assert(
        fc.property(fc.constantFrom(...FINAL), fc.array(fc.oneof(early, fc.constantFrom(...FINAL))), (outcome, late) => {
          expect(late.reduce(advanceStatus, outcome)).toBe(outcome);
        }),
        RUNS,
      );
    });
  });
});

describe('isFailure', () => {
  it('is true only for failed and undelivered', () => {
    expect(DELIVERY_STATUSES.filter(isFailure)).toEqual(['undelivered', 'failed']);
  });
});

describe('fromTwilioStatus', () => {
  it.each<[string, DeliveryStatus | null]>([
    ['accepted', 'accepted'],
    ['scheduled', 'accepted'],
    ['queued', 'queued'],
    // Twilio's "sending" is its own hand-off to the carrier, not our claim before the API call.
    ['sending', 'queued'],
    ['sent', 'sent'],
    ['delivered', 'delivered'],
    ['read', 'read'],
    ['undelivered', 'undelivered'],
    ['failed', 'failed'],
    // A scheduled message cancelled before it went: as far as the customer is concerned it failed.
    ['canceled', 'failed'],
    // Inbound statuses and anything new or garbled are ignored, not guessed at.
    ['receiving', null],
    ['received', null],
    ['partially_delivered', null],
    ['', null],
  ])('%j is %j', (raw, expected) => {
    expect(fromTwilioStatus(raw)).toBe(expected);
  });
});

describe('smsFailureKind', () => {
  it.each<[string | null, string]>([
    ['21211', 'invalid_number'], // invalid 'To' number
    ['21614', 'invalid_number'], // not a mobile number
    ['30005', 'invalid_number'], // unknown destination handset
    ['30006', 'invalid_number'], // landline or unreachable carrier
    ['21610', 'opted_out'], // recipient replied STOP
    ['30003', 'other'], // handset unreachable: may work another time
    ['30007', 'other'], // carrier filtering
    ['30008', 'other'],
    ['', 'other'],
    [null, 'other'],
  ])('%j is %s', (code, expected) => {
    expect(smsFailureKind(code)).toBe(expected);
  });
});
