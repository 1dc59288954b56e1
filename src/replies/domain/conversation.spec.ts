import fc from 'fast-check';
import { smsSegments } from '../../reminders/domain/sms-segments';
import { choicesOf, decide, OfferedSlot, slotsToOffer, UpcomingBooking, when, wording } from './conversation';

const booking = (id: string, start: string, siteName = 'Lewisham Library'): UpcomingBooking => ({ id, siteId: `site-${id}`, siteName, start: Date.parse(start), zone: 'Europe/London' });
const A = booking('a', '2027-01-04T10:00:00Z');
const B = booking('b', '2027-01-05T14:00:00Z', 'Swindon Jobcentre Plus');
const C = booking('c', '2027-06-07T09:30:00Z');

describe('decide', () => {
  it('acts on the only upcoming booking, letter or not', () => {
    expect(decide('confirm', null, [A], null)).toEqual({ action: 'confirm', booking: A });
    expect(decide('cancel', 'B', [A], null)).toEqual({ action: 'cancel', booking: A });
  });

  it('asks which when there are several and no letter to go by, naming at most four', () => {
    expect(decide('cancel', null, [A, B], null)).toEqual({ action: 'ask', verb: 'cancel', offered: [A, B] });
    const many = ['1', '2', '3', '4', '5'].map((n) => booking(n, `2027-01-0${n}T10:00:00Z`));
    expect(decide('move', null, many, null)).toMatchObject({ action: 'ask', offered: many.slice(0, 4) });
  });

  it('asks again on a letter when none was offered to this number', () => {
    expect(decide('confirm', 'A', [A, B], null)).toEqual({ action: 'ask', verb: 'confirm', offered: [A, B] });
  });

  it('reads a letter as it was offered, even after the list changed', () => {
    const offered = choicesOf([A, B]);
    expect(offered).toEqual({ A: 'a', B: 'b' });
    expect(decide('cancel', 'B', [A, B], offered)).toEqual({ action: 'cancel', booking: B });
    // A was cancelled since: B is now first, but "B" still means B, and "A" is gone.
    expect(decide('confirm', 'B', [B, C], offered)).toEqual({ action: 'confirm', booking: B });
    expect(decide('confirm', 'A', [B, C], offered)).toEqual({ action: 'gone', verb: 'confirm' });
    expect(decide('confirm', 'A', [B], offered)).toEqual({ action: 'gone', verb: 'confirm' });
    // A letter never offered, with one booking left: a signature's initial, not a choice.
    expect(decide('confirm', 'D', [B], offered)).toEqual({ action: 'confirm', booking: B });
    expect(decide('confirm', 'D', [B, C], offered)).toEqual({ action: 'gone', verb: 'confirm' });
  });

  it('says so when there is nothing upcoming', () => {
    expect(decide('cancel', 'A', [], choicesOf([A]))).toEqual({ action: 'no_booking', verb: 'cancel' });
  });
});

describe('slotsToOffer', () => {
  const at = (start: string, adviser = 'x') => ({ start: Date.parse(start), adviser });

  it('offers the three earliest distinct times, never the current one', () => {
    const free = [at('2027-01-05T11:00:00Z'), at('2027-01-05T09:00:00Z', 'y'), at('2027-01-05T09:00:00Z'), at('2027-01-05T10:00:00Z'), at('2027-01-06T09:00:00Z')];
    expect(slotsToOffer(free, Date.parse('2027-01-05T10:00:00Z')).map((s) => new Date(s.start).toISOString())).toEqual([
      '2027-01-05T09:00:00.000Z',
      '2027-01-05T11:00:00.000Z',
      '2027-01-06T09:00:00.000Z',
    ]);
    expect(slotsToOffer([], 0)).toEqual([]);
    expect(slotsToOffer([at('2027-01-05T10:00:00Z')], Date.parse('2027-01-05T10:00:00Z'))).toEqual([]);
  });
});

describe('wording', () => {
  const longSite = 'The Very Long Named Community Learning and Enterprise Centre, Annexe B';
  // The longest a time can be: Wed, two-digit day, on the site's clock.
  const worst = booking('w', '2027-11-24T23:59:00Z', longSite);
  const offered: OfferedSlot = { holdId: 'h', start: worst.start, zone: worst.zone, siteName: longSite };

  it('numbers the times offered as a customer reads them', () => {
    expect(wording.notOffered(1)).toMatch(/^Please reply 1 for/);
    expect(wording.notOffered(2)).toMatch(/^Please reply 1 or 2 for/);
    expect(wording.notOffered(3)).toMatch(/^Please reply 1, 2 or 3 for/);
    const slot = (start: string): OfferedSlot => ({ holdId: start, start: Date.parse(start), zone: 'Europe/London', siteName: 'Lewisham Library' });
    expect(wording.offer([slot('2027-01-05T09:00:00Z'), slot('2027-01-05T11:00:00Z')], A)).toBe(
      'Reply 1 for Tue 5 Jan 09:00, 2 for Tue 5 Jan 11:00 at Lewisham Library. Until you reply, Mon 4 Jan 10:00 stays booked.',
    );
  });

  it('names the time on the site clock and cuts long site names', () => {
    expect(when(booking('x', '2027-07-05T09:00:00Z'))).toBe('Mon 5 Jul 10:00');
    expect(wording.confirmed(worst)).toContain('The Very Long Named C...');
  });

  it('fits each reply in one GSM-7 segment, a question about two bookings included', () => {
    const texts = [
      wording.confirmed(worst),
      wording.cancelled(worst),
      wording.moveRequested(worst),
      wording.ask('confirm', [worst, worst]),
      wording.ask('cancel', [worst, worst]),
      wording.ask('move', [worst, worst]),
      wording.notChanged(),
      wording.gone(),
      wording.noBooking(),
      wording.unknownNumber(),
      wording.notUnderstood(),
      wording.noOptions(),
      wording.offer([offered, offered, offered], worst),
      wording.moved(offered),
      wording.taken(),
      wording.notOffered(3),
      wording.stopped(),
      wording.started(),
      wording.help(),
    ];
    for (const text of texts) expect({ text, ...smsSegments(text) }).toMatchObject({ text, encoding: 'GSM-7', segments: 1 });
  });

  it('stays GSM-7 whatever a site is called', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (name) => {
        const text = wording.cancelled(booking('x', '2027-01-04T10:00:00Z', name));
        expect(smsSegments(text)).toMatchObject({ encoding: 'GSM-7', segments: 1 });
      }),
    );
  });
});
