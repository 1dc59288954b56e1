import fc from 'fast-check';
import { Window } from '../../diaries/domain/availability';
import { fullSessions } from './full-sessions';
import { generateSlots, SessionState, SlotQuery } from './slots';

const at = (time: string) => Date.parse(`2027-01-04T${time}:00Z`);
const win = (start: number, end: number, overrides: Partial<Window> = {}): Window => ({ start, end, adviserId: 'a1', siteId: 's1', roomId: null, patternId: 'p1', ...overrides });
const session = (id: string, start: string, overrides: Partial<SessionState> = {}): SessionState => ({
  id,
  adviserId: 'a1',
  siteId: 's1',
  roomId: null,
  appointmentTypeCode: 'T',
  start: at(start),
  end: at(start) + 3_600_000,
  busyUntil: at(start) + 3_600_000,
  capacity: 1,
  booked: 1,
  held: 0,
  ...overrides,
});
const query = (sessions: SessionState[], overrides: Partial<SlotQuery> = {}): SlotQuery => ({
  windows: [win(at('09:00'), at('17:00'))],
  sessions,
  type: { code: 'T', durationMinutes: 60, bufferMinutes: 0, capacity: 1 },
  roomCapacities: new Map(),
  earliestStart: () => -Infinity,
  range: { start: at('00:00'), end: at('23:59') },
  ...overrides,
});

describe('fullSessions', () => {
  it('finds the full sessions a booking could otherwise join, by start then adviser', () => {
    const sessions = [
      session('late', '14:00'),
      session('other-adviser', '10:00', { adviserId: 'a2' }),
      session('early', '10:00'),
      session('held', '11:00', { booked: 0, held: 1 }),
      session('group-with-room', '12:00', { capacity: 3, booked: 2 }),
      session('other-type', '13:00', { appointmentTypeCode: 'U' }),
      session('outside-window', '17:00'),
    ];
    const windows = [win(at('09:00'), at('17:00')), win(at('09:00'), at('17:00'), { adviserId: 'a2' })];
    expect(fullSessions(query(sessions, { windows })).map((s) => s.id)).toEqual(['early', 'other-adviser', 'held', 'late']);
  });

  it('keeps to the range and the minimum notice', () => {
    const sessions = [session('nine', '09:00'), session('ten', '10:00'), session('eleven', '11:00')];
    expect(fullSessions(query(sessions, { earliestStart: () => at('09:30'), range: { start: at('00:00'), end: at('11:00') } })).map((s) => s.id)).toEqual(['ten']);
  });

  it("asks the minimum notice only of sessions at a searched site (an adviser's full session elsewhere is read too)", () => {
    const earliestStart = (siteId: string) => {
      if (siteId !== 's1') throw new Error(`no notice known for ${siteId}`);
      return -Infinity;
    };
    const sessions = [session('here', '10:00'), session('elsewhere', '12:00', { siteId: 's2' })];
    expect(fullSessions(query(sessions, { earliestStart })).map((s) => s.id)).toEqual(['here']);
  });

  it('never names a session that slot search offers as free', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ hour: fc.integer({ min: 8, max: 17 }), capacity: fc.integer({ min: 1, max: 3 }), booked: fc.integer({ min: 0, max: 4 }), held: fc.integer({ min: 0, max: 2 }) }), { maxLength: 8 }),
        (drawn) => {
          const sessions = drawn.map((d, i) =>
            session(`s${i}`, `${String(d.hour).padStart(2, '0')}:00`, { adviserId: `a${i}`, capacity: d.capacity, booked: Math.min(d.booked, d.capacity + 2), held: d.held }),
          );
          const windows = drawn.map((_, i) => win(at('09:00'), at('17:00'), { adviserId: `a${i}` }));
          const q = query(sessions, { windows, type: { code: 'T', durationMinutes: 60, bufferMinutes: 0, capacity: 3 } });
          const free = new Set(generateSlots(q).flatMap((s) => (s.sessionId ? [s.sessionId] : [])));
          return fullSessions(q).every((s) => !free.has(s.id) && s.booked + s.held >= s.capacity);
        },
      ),
    );
  });
});
