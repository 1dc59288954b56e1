import fc from 'fast-check';
import { formatInstant, localToInstant } from '../../common/time/local-time';
import { DiaryPattern, expandPattern, Interval, SiteCalendar, subtractBlocks, Window } from '../../diaries/domain/availability';
import { overlapAllowed } from '../../overbooking/domain/admission';
import { POLICY_OFF, resolvePolicy } from '../../overbooking/domain/policy';
import { busySpan, checkSlot, earliestSlots, generateSlots, SessionState, Slot, SlotQuery, SlotType } from './slots';

const MIN = 60_000;
const U = 5 * MIN; // the five-minute grid
const DAY_MS = 86_400_000;
const T0 = Date.UTC(2027, 0, 4, 8, 0); // Monday 2027-01-04 08:00Z
const ADVISERS = ['a1', 'a2', 'a3'];
const SITES = ['s1', 's2'];
const ROOMS = [null, 'r1', 'r2'] as const;

const at = (time: string, date = '2027-01-04') => Date.parse(`${date}T${time}:00Z`);
const iso = (t: number) => new Date(t).toISOString().slice(11, 16);
const isLive = (s: SessionState) => s.booked + s.held > 0;

const type = (overrides: Partial<SlotType> = {}): SlotType => ({ code: 'T', durationMinutes: 30, bufferMinutes: 0, capacity: 1, ...overrides });
const win = (start: number, end: number, overrides: Partial<Window> = {}): Window => ({ start, end, adviserId: 'a1', siteId: 's1', roomId: null, patternId: 'p1', ...overrides });
const session = (overrides: Partial<SessionState> & Pick<SessionState, 'start' | 'end'>): SessionState => ({
  id: 'x1',
  adviserId: 'a1',
  siteId: 's1',
  roomId: null,
  appointmentTypeCode: 'T',
  busyUntil: overrides.end,
  capacity: 1,
  booked: 1,
  held: 0,
  ...overrides,
});
const query = (overrides: Partial<SlotQuery>): SlotQuery => ({
  windows: [],
  sessions: [],
  type: type(),
  roomCapacities: new Map(),
  earliestStart: () => -Infinity,
  range: { start: at('00:00'), end: at('23:59') },
  ...overrides,
});

// ---------------------------------------------------------------------------------------
// Arbitraries: a consistent diary on the five-minute grid.

interface Scenario {
  q: SlotQuery;
  earliest: Record<string, number>;
  empties: SessionState[];
}

const typeArb = fc
  .record({ durU: fc.integer({ min: 1, max: 12 }), bufU: fc.integer({ min: 0, max: 4 }), capacity: fc.integer({ min: 1, max: 6 }) })
  .map((r): SlotType => ({ code: 'T', durationMinutes: r.durU * 5, bufferMinutes: r.bufU * 5, capacity: r.capacity }));

const windowPartsArb = fc.record({
  first: fc.integer({ min: 0, max: 24 }),
  parts: fc.array(
    fc.record({ gap: fc.integer({ min: 0, max: 12 }), len: fc.integer({ min: 1, max: 36 }), site: fc.constantFrom(...SITES), room: fc.constantFrom(...ROOMS) }),
    { maxLength: 3 },
  ),
});

const rawSessionArb = fc.record({
  adviser: fc.constantFrom(...ADVISERS),
  site: fc.constantFrom(...SITES),
  room: fc.constantFrom(...ROOMS),
  ofType: fc.boolean(),
  startU: fc.integer({ min: -12, max: 200 }),
  durU: fc.integer({ min: 1, max: 12 }),
  bufU: fc.integer({ min: 0, max: 4 }),
  capacity: fc.integer({ min: 1, max: 6 }),
  booked: fc.integer({ min: 0, max: 6 }),
  held: fc.constantFrom(0, 0, 0, 1, 2),
  // A third of sessions start at (or just after) the end of some window, where edges meet.
  snap: fc.oneof(fc.constant(null), fc.constant(null), fc.record({ window: fc.nat(), afterU: fc.integer({ min: 0, max: 2 }) })),
});
type RawSession = typeof rawSessionArb extends fc.Arbitrary<infer R> ? R : never;

function toSession(type: SlotType, r: RawSession, id: string, windows: Window[], forceEmpty = false): SessionState {
  const start = r.snap && windows.length > 0 ? windows[r.snap.window % windows.length].end + r.snap.afterU * U : T0 + r.startU * U;
  const end = start + (r.ofType ? type.durationMinutes : r.durU * 5) * MIN;
  const busyUntil = end + (r.ofType ? type.bufferMinutes : r.bufU * 5) * MIN;
  return {
    id,
    adviserId: r.adviser,
    siteId: r.site,
    roomId: r.room,
    appointmentTypeCode: r.ofType ? 'T' : 'OTHER',
    start,
    end,
    busyUntil,
    capacity: r.capacity,
    booked: forceEmpty ? 0 : r.booked,
    held: forceEmpty ? 0 : r.held,
  };
}

/** Live sessions as the database's exclusion constraints allow them: no adviser or room in two at once. */
function consistent(sessions: SessionState[]): SessionState[] {
  const kept: SessionState[] = [];
  for (const s of sessions) {
    const conflicts = kept.some(
      (k) => isLive(k) && (k.adviserId === s.adviserId || (k.roomId !== null && k.roomId === s.roomId)) && k.start < s.busyUntil && s.start < k.busyUntil,
    );
    if (!isLive(s) || !conflicts) kept.push(s);
  }
  return kept;
}

const scenarioArb = (options: { separateWindowsByBuffer?: boolean } = {}) =>
  fc
    .record({
      type: typeArb,
      windows: fc.tuple(...ADVISERS.map(() => windowPartsArb)),
      raws: fc.array(rawSessionArb, { maxLength: 10 }),
      rawEmpties: fc.array(rawSessionArb, { maxLength: 4 }),
      earliest: fc.tuple(...SITES.map(() => fc.oneof(fc.integer({ min: -40, max: 150 }).map((n) => n * U), fc.integer({ min: -40 * U, max: 150 * U })))),
      // Range ends both on and off the grid, so that slots starting exactly at them occur.
      rangeStart: fc.oneof(fc.constant(-100 * U), fc.integer({ min: -40, max: 120 }).map((n) => n * U), fc.integer({ min: -40 * U, max: 120 * U })),
      rangeLength: fc.oneof(fc.constant(400 * U), fc.integer({ min: 1, max: 300 }).map((n) => n * U), fc.integer({ min: 1, max: 300 * U })),
      roomCaps: fc.tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 })),
    })
    .map((r): Scenario => {
      const windows: Window[] = [];
      r.windows.forEach((w, a) => {
        let cursor = T0 + w.first * U;
        w.parts.forEach((part, i) => {
          const gap = part.gap + (options.separateWindowsByBuffer ? r.type.bufferMinutes / 5 : 0);
          const start = cursor + (i === 0 ? 0 : gap * U);
          const end = start + part.len * U;
          windows.push({ start, end, adviserId: ADVISERS[a], siteId: part.site, roomId: part.room, patternId: `${ADVISERS[a]}-${i}` });
          cursor = end;
        });
      });
      const earliest = Object.fromEntries(SITES.map((s, i) => [s, T0 + r.earliest[i]]));
      const q: SlotQuery = {
        windows,
        sessions: consistent(r.raws.map((raw, i) => toSession(r.type, raw, `s${i}`, windows))),
        type: r.type,
        roomCapacities: new Map([
          ['r1', r.roomCaps[0]],
          ['r2', r.roomCaps[1]],
        ]),
        earliestStart: (siteId) => earliest[siteId],
        range: { start: T0 + r.rangeStart, end: T0 + r.rangeStart + r.rangeLength },
      };
      return { q, earliest, empties: r.rawEmpties.map((raw, i) => toSession(r.type, raw, `e${i}`, windows, true)) };
    });

/**
 * The same diaries at sites with an overlap policy (the overlap by site, some none), their
 * sessions there booked under it: busy until the overlap before they end, as take writes them.
 */
const overlapScenarioArb = fc
  .tuple(scenarioArb(), fc.tuple(...SITES.map(() => fc.constantFrom(0, 5, 10, 15, 30, 60))))
  .map(([scenario, minutes]): Scenario => {
    const overlapMinutes = new Map(SITES.flatMap((site, i) => (minutes[i] > 0 ? [[site, minutes[i]] as const] : [])));
    const underPolicy = (s: SessionState): SessionState => {
      const overlap = overlapMinutes.get(s.siteId);
      return overlap ? { ...s, busyUntil: s.start + busySpan(type({ durationMinutes: (s.end - s.start) / MIN }), overlap) } : s;
    };
    return { ...scenario, q: { ...scenario.q, sessions: scenario.q.sessions.map(underPolicy), overlapMinutes }, empties: scenario.empties.map(underPolicy) };
  });

/** Diaries without and with overlaps, for the properties that turn on how long a new session keeps its adviser. */
const SCENARIOS = [
  ['no overlap', scenarioArb()],
  ['overlaps at some sites', overlapScenarioArb],
] as const;

const RUNS = { numRuns: 300 };
/** How long a new slot at the site keeps its adviser busy: duration and buffer, or less under an overlap policy. */
const spanAt = (q: SlotQuery, siteId: string) => busySpan(q.type, q.overlapMinutes?.get(siteId));
const sessionOf = (q: SlotQuery, slot: Slot) => q.sessions.find((s) => s.id === slot.sessionId)!;
/** End of the time a slot keeps its adviser busy: its own span for a new session, the session's for a join. */
const busyEnd = (q: SlotQuery, slot: Slot) => (slot.sessionId === null ? slot.start + spanAt(q, slot.siteId) : sessionOf(q, slot).busyUntil);
const overlaps = (a: Interval, b: Interval) => a.start < b.end && b.start < a.end;
/** Deep equality, cheaply in the usual case; the matcher only runs to show a difference. */
const expectSameSlots = (actual: Slot[], expected: Slot[]) => {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual).toEqual(expected);
};
const describeSlot = (s: Slot) => `${s.adviserId}@${new Date(s.start).toISOString()}${s.sessionId ? `(join ${s.sessionId})` : ''}`;

function overlappingPairs(q: SlotQuery, slots: Slot[]): string[] {
  const bad: string[] = [];
  for (let i = 0; i < slots.length; i++)
    for (let j = i + 1; j < slots.length; j++) {
      const [a, b] = [slots[i], slots[j]];
      if (a.adviserId === b.adviserId && overlaps({ start: a.start, end: busyEnd(q, a) }, { start: b.start, end: busyEnd(q, b) })) bad.push(`${describeSlot(a)} / ${describeSlot(b)}`);
    }
  return bad;
}

// ---------------------------------------------------------------------------------------

describe('generateSlots: examples', () => {
  it('packs from the window start with the buffer between sessions', () => {
    const slots = generateSlots(query({ type: type({ durationMinutes: 45, bufferMinutes: 15 }), windows: [win(at('09:00'), at('12:00'))] }));
    expect(slots.map((s) => iso(s.start))).toEqual(['09:00', '10:00', '11:00']);
    expect(slots.map((s) => iso(s.end))).toEqual(['09:45', '10:45', '11:45']);
  });

  it('jumps past a live session and its buffer', () => {
    const busy = session({ appointmentTypeCode: 'OTHER', start: at('09:30'), end: at('10:00'), busyUntil: at('10:10') });
    const slots = generateSlots(query({ type: type({ durationMinutes: 45, bufferMinutes: 15 }), windows: [win(at('09:00'), at('12:00'))], sessions: [busy] }));
    expect(slots.map((s) => iso(s.start))).toEqual(['10:10', '11:10']);
  });

  it('ignores sessions with nobody booked or held', () => {
    const empty = session({ start: at('09:30'), end: at('10:00'), booked: 0, held: 0 });
    const slots = generateSlots(query({ windows: [win(at('09:00'), at('10:30'))], sessions: [empty] }));
    expect(slots.map((s) => iso(s.start))).toEqual(['09:00', '09:30', '10:00']);
  });

  it("avoids another adviser's session in the window's room, but not in another room", () => {
    const other = session({ adviserId: 'a2', roomId: 'r1', appointmentTypeCode: 'OTHER', start: at('09:00'), end: at('10:00') });
    const inR1 = generateSlots(query({ type: type({ durationMinutes: 60 }), windows: [win(at('09:00'), at('11:00'), { roomId: 'r1' })], sessions: [other], roomCapacities: new Map([['r1', 4]]) }));
    expect(inR1.map((s) => iso(s.start))).toEqual(['10:00']);
    const inR2 = generateSlots(query({ type: type({ durationMinutes: 60 }), windows: [win(at('09:00'), at('11:00'), { roomId: 'r2' })], sessions: [other] }));
    expect(inR2.map((s) => iso(s.start))).toEqual(['09:00', '10:00']);
  });

  it('caps group capacity by the room, and offers seats left in an existing group session', () => {
    const group = type({ code: 'GROUP', durationMinutes: 60, bufferMinutes: 0, capacity: 8 });
    const existing = session({ id: 'g1', appointmentTypeCode: 'GROUP', roomId: 'r1', start: at('10:00'), end: at('11:00'), capacity: 5, booked: 2, held: 1 });
    const slots = generateSlots(query({ type: group, windows: [win(at('09:00'), at('12:00'), { roomId: 'r1' })], sessions: [existing], roomCapacities: new Map([['r1', 5]]) }));
    expect(slots).toEqual([
      { siteId: 's1', adviserId: 'a1', roomId: 'r1', start: at('09:00'), end: at('10:00'), capacity: 5, remaining: 5, sessionId: null },
      { siteId: 's1', adviserId: 'a1', roomId: 'r1', start: at('10:00'), end: at('11:00'), capacity: 5, remaining: 2, sessionId: 'g1' },
      { siteId: 's1', adviserId: 'a1', roomId: 'r1', start: at('11:00'), end: at('12:00'), capacity: 5, remaining: 5, sessionId: null },
    ]);
  });

  it('uses the type capacity when the room is larger or unknown', () => {
    const group = type({ durationMinutes: 60, capacity: 6 });
    const bigRoom = generateSlots(query({ type: group, windows: [win(at('09:00'), at('10:00'), { roomId: 'r1' })], roomCapacities: new Map([['r1', 30]]) }));
    expect(bigRoom.map((s) => [s.capacity, s.remaining])).toEqual([[6, 6]]);
    const noRoom = generateSlots(query({ type: group, windows: [win(at('09:00'), at('10:00'))] }));
    expect(noRoom.map((s) => [s.capacity, s.remaining])).toEqual([[6, 6]]);
  });

  it('does not offer a full session, nor a session of another type, as a join', () => {
    const full = session({ id: 'full', start: at('09:00'), end: at('09:30'), capacity: 2, booked: 2 });
    const other = session({ id: 'other', appointmentTypeCode: 'OTHER', start: at('10:00'), end: at('10:30'), capacity: 5, booked: 1 });
    const slots = generateSlots(query({ windows: [win(at('09:00'), at('11:00'))], sessions: [full, other] }));
    expect(slots.map((s) => [iso(s.start), s.sessionId])).toEqual([
      ['09:30', null],
      ['10:30', null],
    ]);
  });

  it('keeps slots starting in [range.start, range.end) and not before the earliest start', () => {
    const slots = generateSlots(
      query({ windows: [win(at('09:00'), at('13:00'))], range: { start: at('09:10'), end: at('12:00') }, earliestStart: (site) => (site === 's1' ? at('10:01') : 0) }),
    );
    expect(slots.map((s) => iso(s.start))).toEqual(['10:30', '11:00', '11:30']);
  });

  it('sorts by start, then adviser', () => {
    const slots = generateSlots(
      query({
        windows: [win(at('09:00'), at('10:00'), { adviserId: 'b' }), win(at('09:30'), at('10:00'), { adviserId: 'a' }), win(at('08:30'), at('09:00'), { adviserId: 'c' })],
      }),
    );
    expect(slots.map((s) => `${s.adviserId}${iso(s.start)}`)).toEqual(['c08:30', 'b09:00', 'a09:30', 'b09:30']);
  });
});

describe('generateSlots: properties', () => {
  it.each(SCENARIOS)('answers in time order, then adviser order, each adviser at most once at an instant (%s)', (_name, scenarios) => {
    fc.assert(
      fc.property(scenarios, ({ q }) => {
        const slots = generateSlots(q);
        slots.slice(1).forEach((slot, i) => {
          const before = slots[i];
          expect(before.start < slot.start || (before.start === slot.start && before.adviserId < slot.adviserId)).toBe(true);
        });
      }),
      RUNS,
    );
  });

  it.each(SCENARIOS)('earliestSlots(limit) is the first limit of the whole search, whatever the limit (%s)', (_name, scenarios) => {
    fc.assert(
      fc.property(scenarios, fc.integer({ min: 1, max: 40 }), ({ q }, limit) => {
        expect(earliestSlots(q, limit)).toEqual(generateSlots(q).slice(0, limit));
      }),
      RUNS,
    );
  });

  it.each(SCENARIOS)('never offers one adviser two slots that overlap, counting the buffer after each, or the overlap taken off (%s)', (_name, scenarios) => {
    fc.assert(
      fc.property(scenarios, ({ q }) => {
        expect(overlappingPairs(q, generateSlots(q))).toEqual([]);
      }),
      RUNS,
    );
  });

  it('never offers one adviser two overlapping slots when their windows are at least a buffer apart', () => {
    fc.assert(
      fc.property(scenarioArb({ separateWindowsByBuffer: true }), ({ q }) => {
        expect(overlappingPairs(q, generateSlots(q))).toEqual([]);
      }),
      RUNS,
    );
  });

  /** New slots whose span (from their start to `reach`) runs into a live session of their adviser or room. */
  const newSlotsOverLiveSessions = (q: SlotQuery, reach: (slot: Slot) => number) =>
    generateSlots(q)
      .filter((slot) => slot.sessionId === null)
      .flatMap((slot) =>
        q.sessions
          .filter(
            (s) =>
              isLive(s) &&
              (s.adviserId === slot.adviserId || (slot.roomId !== null && s.roomId === slot.roomId)) &&
              overlaps({ start: slot.start, end: reach(slot) }, { start: s.start, end: s.busyUntil }),
          )
          .map((s) => `${describeSlot(slot)} (busy until ${new Date(reach(slot)).toISOString()}) over ${s.id}`),
      );

  // Under an overlap a new session may run into the next one by design: the property
  // below, of the time it keeps its adviser, is the one that holds for both.
  it("never puts a new session over a live session's busy time (start to busyUntil) of the adviser or the window's room", () => {
    fc.assert(
      fc.property(scenarioArb(), ({ q }) => {
        expect(newSlotsOverLiveSessions(q, (slot) => slot.end)).toEqual([]);
      }),
      RUNS,
    );
  });

  it.each(SCENARIOS)('keeps the buffer after a new session clear of live sessions of the adviser or the room (as the database exclusion constraints require) (%s)', (_name, scenarios) => {
    fc.assert(
      fc.property(scenarios, ({ q }) => {
        expect(newSlotsOverLiveSessions(q, (slot) => slot.start + spanAt(q, slot.siteId))).toEqual([]);
      }),
      RUNS,
    );
  });

  it("puts every slot inside one of its adviser's windows at its site (and in the window's room for new ones)", () => {
    fc.assert(
      fc.property(scenarioArb(), ({ q }) => {
        const homeless = generateSlots(q).filter(
          (slot) =>
            q.windows.filter(
              (w) => w.adviserId === slot.adviserId && w.siteId === slot.siteId && w.start <= slot.start && slot.end <= w.end && (slot.sessionId !== null || w.roomId === slot.roomId),
            ).length !== 1,
        );
        expect(homeless).toEqual([]);
      }),
      RUNS,
    );
  });

  it('starts every slot at or after earliestStart(site), inside [range.start, range.end), lasting the duration', () => {
    fc.assert(
      fc.property(scenarioArb(), ({ q, earliest }) => {
        const bad = generateSlots(q).filter(
          (slot) => !(slot.start >= earliest[slot.siteId] && slot.start >= q.range.start && slot.start < q.range.end && slot.end - slot.start === q.type.durationMinutes * MIN),
        );
        expect(bad).toEqual([]);
      }),
      RUNS,
    );
  });

  it('only filters by range and notice: the offered times stay put as the clock moves on', () => {
    fc.assert(
      fc.property(scenarioArb(), ({ q, earliest }) => {
        const unlimited = generateSlots({ ...q, range: { start: -Infinity, end: Infinity }, earliestStart: () => -Infinity });
        const expected = unlimited.filter((s) => s.start >= q.range.start && s.start < q.range.end && s.start >= earliest[s.siteId]);
        expectSameSlots(generateSlots(q), expected);
      }),
      RUNS,
    );
  });

  it('offers 0 < remaining <= capacity; new slots have the type capacity, capped by the room', () => {
    fc.assert(
      fc.property(scenarioArb(), ({ q }) => {
        const bad = generateSlots(q).filter((slot) => {
          if (!(slot.remaining > 0 && slot.remaining <= slot.capacity)) return true;
          if (slot.sessionId !== null) return false;
          const room = slot.roomId === null ? Infinity : q.roomCapacities.get(slot.roomId)!;
          return slot.capacity !== Math.min(q.type.capacity, room) || slot.remaining !== slot.capacity;
        });
        expect(bad).toEqual([]);
      }),
      RUNS,
    );
  });

  it('is unaffected by sessions with nobody booked or held, wherever they are', () => {
    fc.assert(
      fc.property(scenarioArb(), ({ q, empties }) => {
        const withEmpties = generateSlots({ ...q, sessions: [...empties, ...q.sessions] });
        const liveOnly = generateSlots({ ...q, sessions: q.sessions.filter(isLive) });
        expectSameSlots(withEmpties, liveOnly);
        expectSameSlots(generateSlots(q), liveOnly);
      }),
      RUNS,
    );
  });

  it('offers exactly the joinable sessions of the type, each with its seats left', () => {
    fc.assert(
      fc.property(scenarioArb(), ({ q, earliest }) => {
        const expected = q.sessions
          .filter(
            (s) =>
              isLive(s) &&
              s.appointmentTypeCode === q.type.code &&
              s.capacity - s.booked - s.held >= 1 &&
              s.start >= q.range.start &&
              s.start < q.range.end &&
              s.start >= earliest[s.siteId] &&
              q.windows.some((w) => w.adviserId === s.adviserId && w.siteId === s.siteId && w.start <= s.start && s.end <= w.end),
          )
          .map((s) => ({ sessionId: s.id, start: s.start, end: s.end, adviserId: s.adviserId, siteId: s.siteId, roomId: s.roomId, capacity: s.capacity, remaining: s.capacity - s.booked - s.held }))
          .sort((a, b) => a.sessionId.localeCompare(b.sessionId));
        const joins = generateSlots(q)
          .filter((s) => s.sessionId !== null)
          .sort((a, b) => a.sessionId!.localeCompare(b.sessionId!));
        expect(joins).toEqual(expected);
      }),
      RUNS,
    );
  });

  it('returns slots sorted by start then adviser, one per adviser and start, the same for any order of input', () => {
    fc.assert(
      fc.property(scenarioArb(), fc.integer(), ({ q }, seed) => {
        const slots = generateSlots(q);
        const unordered = slots.filter((b, i) => i > 0 && !(slots[i - 1].start < b.start || (slots[i - 1].start === b.start && slots[i - 1].adviserId < b.adviserId)));
        expect(unordered).toEqual([]);
        expectSameSlots(generateSlots(q), slots);
        const shuffle = <T>(xs: T[]) => xs.map((x, i) => [((i + 1) * 2654435761 + seed) >>> 0, x] as const).sort((a, b) => a[0] - b[0]).map(([, x]) => x);
        expectSameSlots(generateSlots({ ...q, windows: shuffle(q.windows), sessions: shuffle(q.sessions) }), slots);
        expectSameSlots(generateSlots({ ...q, windows: [...q.windows].reverse(), sessions: [...q.sessions].reverse() }), slots);
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------

describe('generateSlots and checkSlot agree', () => {
  it.each(SCENARIOS)('checkSlot accepts every slot generateSlots offers, as a new session or as a join of that session (%s)', (_name, scenarios) => {
    fc.assert(
      fc.property(scenarios, ({ q, earliest }) => {
        for (const slot of generateSlots(q)) {
          const check = checkSlot({
            start: slot.start,
            type: q.type,
            // As the booking path loads them: the adviser's windows at the slot's site.
            windows: q.windows.filter((w) => w.adviserId === slot.adviserId && w.siteId === slot.siteId),
            sessions: q.sessions,
            earliestStart: earliest[slot.siteId],
            overlapMinutes: q.overlapMinutes,
          });
          if (!check.ok) throw new Error(`${describeSlot(slot)} offered but refused: ${check.reason}`);
          if (slot.sessionId === null ? check.join !== null || check.window.roomId !== slot.roomId : check.join !== sessionOf(q, slot))
            throw new Error(`${describeSlot(slot)} accepted as ${check.join ? `a join of ${check.join.id}` : 'a new session'} in room ${check.window.roomId}`);
        }
      }),
      { numRuns: 500 },
    );
  });

  it.each(SCENARIOS)('generateSlots misses no free time: any other start checkSlot accepts lies within a step after an offered slot (%s)', (_name, scenarios) => {
    // Converse on a single window with no range or notice limits: packing may skip starts
    // that are free only because they fall between one offered slot and the next.
    fc.assert(
      fc.property(scenarios, ({ q }) => {
        const window = q.windows[0];
        if (!window) return;
        const open = { ...q, windows: [window], earliestStart: () => -Infinity, range: { start: -Infinity, end: Infinity } };
        const offered = new Set(generateSlots(open).map((s) => s.start));
        for (let start = window.start; start + q.type.durationMinutes * MIN <= window.end; start += U) {
          const check = checkSlot({ start, type: q.type, windows: [window], sessions: q.sessions, earliestStart: -Infinity, overlapMinutes: q.overlapMinutes });
          // Packing leaves gaps shorter than a step; any accepted start must then lie after an offered one within a step.
          if (check.ok && check.join === null && !offered.has(start) && ![...offered].some((o) => o <= start && start < o + spanAt(q, window.siteId)))
            throw new Error(`free start ${new Date(start).toISOString()} neither offered nor covered`);
        }
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------

describe('checkSlot', () => {
  const t = type({ durationMinutes: 30, bufferMinutes: 10 });
  const windows = [win(at('09:00'), at('12:00'), { roomId: 'r1' })];
  const check = (start: number, sessions: SessionState[] = [], earliestStart = -Infinity) => checkSlot({ start, type: t, windows, sessions, earliestStart });

  it('accepts a free aligned start inside a window, as a new session', () => {
    expect(check(at('09:00'))).toEqual({ ok: true, window: windows[0], join: null });
    expect(check(at('11:30'))).toEqual({ ok: true, window: windows[0], join: null });
  });

  it('refuses MISALIGNED starts off the five-minute marks', () => {
    expect(check(at('09:02'))).toEqual({ ok: false, reason: 'MISALIGNED' });
    expect(check(at('09:00') + 30_000)).toEqual({ ok: false, reason: 'MISALIGNED' });
    expect(check(at('09:00') + 1)).toEqual({ ok: false, reason: 'MISALIGNED' });
    // Checked first, even outside the diary.
    expect(check(at('07:03'))).toEqual({ ok: false, reason: 'MISALIGNED' });
  });

  it('refuses NOT_IN_DIARY outside every window, or running past its end', () => {
    expect(check(at('08:55'))).toEqual({ ok: false, reason: 'NOT_IN_DIARY' });
    expect(check(at('11:35'))).toEqual({ ok: false, reason: 'NOT_IN_DIARY' });
    expect(check(at('12:00'))).toEqual({ ok: false, reason: 'NOT_IN_DIARY' });
    expect(checkSlot({ start: at('09:00'), type: t, windows: [], sessions: [], earliestStart: -Infinity })).toEqual({ ok: false, reason: 'NOT_IN_DIARY' });
  });

  it('refuses TOO_SOON before the earliest start', () => {
    expect(check(at('09:00'), [], at('09:10'))).toEqual({ ok: false, reason: 'TOO_SOON' });
    expect(check(at('09:10'), [], at('09:10')).ok).toBe(true);
  });

  it('refuses a CLASH with a live session of the adviser, its buffer included', () => {
    const busy = session({ appointmentTypeCode: 'OTHER', start: at('09:30'), end: at('10:00'), busyUntil: at('10:10') });
    expect(check(at('09:00'), [busy])).toEqual({ ok: false, reason: 'CLASH' }); // our buffer runs to 09:40
    expect(check(at('10:05'), [busy])).toEqual({ ok: false, reason: 'CLASH' }); // inside its buffer
    expect(check(at('10:10'), [busy]).ok).toBe(true);
    expect(check(at('08:50') + 0, [busy])).toEqual({ ok: false, reason: 'NOT_IN_DIARY' });
  });

  it("refuses a CLASH with another adviser's live session in the window's room", () => {
    const other = session({ adviserId: 'a2', roomId: 'r1', appointmentTypeCode: 'OTHER', start: at('09:00'), end: at('10:00') });
    expect(check(at('09:30'), [other])).toEqual({ ok: false, reason: 'CLASH' });
    expect(check(at('09:30'), [{ ...other, roomId: 'r2' }]).ok).toBe(true);
  });

  it('ignores sessions with nobody booked or held', () => {
    const empty = session({ start: at('09:30'), end: at('10:00'), booked: 0, held: 0 });
    expect(check(at('09:30'), [empty])).toEqual({ ok: true, window: windows[0], join: null });
  });

  it('joins a live session of the same type at the same start', () => {
    const group = session({ id: 'g', start: at('10:00'), end: at('10:30'), busyUntil: at('10:40'), capacity: 4, booked: 2 });
    const result = check(at('10:00'), [group]);
    expect(result).toEqual({ ok: true, window: windows[0], join: group });
    expect(check(at('10:05'), [group])).toEqual({ ok: false, reason: 'CLASH' });
  });
});

// ---------------------------------------------------------------------------------------

describe('slots across the clock changes (Europe/London)', () => {
  const london: SiteCalendar = { id: 's1', timezone: 'Europe/London', openingHours: null, closedDates: new Set() };
  const everyDay: DiaryPattern = {
    id: 'p1',
    adviserId: 'a1',
    siteId: 's1',
    roomId: null,
    weekdays: [1, 2, 3, 4, 5, 6, 7],
    startTime: '09:00',
    endTime: '17:00',
    validFrom: '2027-01-01',
    validTo: null,
    appointmentTypes: ['T'],
  };
  const fortyPlusTen = type({ durationMinutes: 40, bufferMinutes: 10 });
  // 09:00, 09:50, ... 15:40 (16:30 would end at 17:10): nine a day, 63 a week.
  const DAILY = ['09:00', '09:50', '10:40', '11:30', '12:20', '13:10', '14:00', '14:50', '15:40'];

  const f = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const londonWallClock = (instant: number) => {
    const p = Object.fromEntries(f.formatToParts(new Date(instant)).map((x) => [x.type, x.value]));
    return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
  };
  const weekOfSlots = (range: Interval) => generateSlots(query({ type: fortyPlusTen, windows: expandPattern(everyDay, london, range), range }));
  const byDate = (slots: Slot[]) => {
    const days = new Map<string, string[]>();
    for (const s of slots) {
      const { date, time } = londonWallClock(s.start);
      days.set(date, [...(days.get(date) ?? []), time]);
    }
    return days;
  };

  it.each([
    // Local weeks Monday 00:00 to Monday 00:00, written in UTC by hand.
    ['an ordinary winter week', '2028-03-13T00:00:00Z', '2028-03-20T00:00:00Z', '2028-03-13'],
    ['the week the clocks go forward (Sunday 2028-03-26)', '2028-03-20T00:00:00Z', '2028-03-26T23:00:00Z', '2028-03-20'],
    ['an ordinary summer week', '2027-10-17T23:00:00Z', '2027-10-24T23:00:00Z', '2027-10-18'],
    ['the week the clocks go back (Sunday 2027-10-31)', '2027-10-24T23:00:00Z', '2027-11-01T00:00:00Z', '2027-10-25'],
  ])('%s has nine slots a day at the same wall-clock times, none lost or duplicated', (_name, from, to, monday) => {
    const slots = weekOfSlots({ start: Date.parse(from), end: Date.parse(to) });
    expect(slots).toHaveLength(63);
    expect(new Set(slots.map((s) => s.start)).size).toBe(63);
    const days = byDate(slots);
    const mondayDay = Date.parse(`${monday}T00:00:00Z`);
    const expectedDates = Array.from({ length: 7 }, (_, i) => new Date(mondayDay + i * DAY_MS).toISOString().slice(0, 10));
    expect([...days.keys()]).toEqual(expectedDates);
    for (const times of days.values()) expect(times).toEqual(DAILY);
    for (const s of slots) expect(s.end - s.start).toBe(40 * MIN);
  });

  it('the Monday after the spring change starts at 08:00Z and the Monday after the autumn change at 09:00Z', () => {
    expect(weekOfSlots({ start: Date.parse('2028-03-26T23:00:00Z'), end: Date.parse('2028-03-27T23:00:00Z') })[0].start).toBe(Date.parse('2028-03-27T08:00:00Z'));
    expect(weekOfSlots({ start: Date.parse('2027-11-01T00:00:00Z'), end: Date.parse('2027-11-02T00:00:00Z') })[0].start).toBe(Date.parse('2027-11-01T09:00:00Z'));
  });
});

// ---------------------------------------------------------------------------------------
// Boundary cases the properties above flush out, written down as plain examples.

describe('the buffer of a new session at the end of a window', () => {
  const t = type({ durationMinutes: 30, bufferMinutes: 15 });

  it('is not overlapped by a slot offered in an adjoining window of the same adviser', () => {
    // Site s1 until 09:30, then site s2: the 09:00 slot keeps the adviser busy until 09:45.
    const windows = [win(at('09:00'), at('09:30'), { siteId: 's1' }), win(at('09:30'), at('11:00'), { siteId: 's2', patternId: 'p2' })];
    const slots = generateSlots(query({ type: t, windows }));
    expect(overlappingPairs(query({ type: t, windows }), slots)).toEqual([]);
  });

  it('is not overlapped by a live session that starts at the window end (checkSlot and generateSlots)', () => {
    // The database would refuse a session busy 09:30-10:15 next to one starting at 10:00
    // (sessions_adviser_no_overlap on busy), so the slot must be neither offered nor accepted.
    const window = win(at('09:30'), at('10:00'));
    const later = session({ appointmentTypeCode: 'OTHER', siteId: 's2', start: at('10:00'), end: at('11:00') });
    expect(checkSlot({ start: at('09:30'), type: t, windows: [window], sessions: [later], earliestStart: -Infinity })).toEqual({ ok: false, reason: 'CLASH' });
    expect(generateSlots(query({ type: t, windows: [window], sessions: [later] }))).toEqual([]);
  });

  it("is not overlapped by another adviser's live session in the room that starts at the window end", () => {
    const window = win(at('09:30'), at('10:00'), { roomId: 'r1' });
    const later = session({ adviserId: 'a2', roomId: 'r1', appointmentTypeCode: 'OTHER', start: at('10:00'), end: at('11:00') });
    expect(checkSlot({ start: at('09:30'), type: t, windows: [window], sessions: [later], earliestStart: -Infinity })).toEqual({ ok: false, reason: 'CLASH' });
    expect(generateSlots(query({ type: t, windows: [window], sessions: [later], roomCapacities: new Map([['r1', 1]]) }))).toEqual([]);
  });
});

describe('inputs the API accepts that are off the five-minute grid', () => {
  const offeredButRefused = (q: SlotQuery) =>
    generateSlots(q)
      .map((slot) => ({ slot, check: checkSlot({ start: slot.start, type: q.type, windows: q.windows, sessions: q.sessions, earliestStart: -Infinity }) }))
      .filter(({ check }) => !check.ok)
      .map(({ slot, check }) => `${iso(slot.start)}: ${(check as { reason: string }).reason}`);

  it('leave ending at 10:07 (an exception given as a date-time) yields no slot that checkSlot refuses', () => {
    const windows = subtractBlocks([win(at('09:00'), at('12:00'))], [{ start: at('08:00'), end: at('10:07') }]);
    expect(offeredButRefused(query({ windows }))).toEqual([]);
  });

  it('an appointment type of 7 minutes (durationMinutes 5..480 is valid) yields no slot that checkSlot refuses', () => {
    expect(offeredButRefused(query({ type: type({ durationMinutes: 7 }), windows: [win(at('09:00'), at('09:30'))] }))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------
// Overlap mode (issue 8): the next appointment may start overlapMinutes before one ends.

describe('overlap mode', () => {
  const hour = type({ durationMinutes: 60 });
  const overlap15 = new Map([['s1', 15]]);
  const times = (slots: Slot[]) => slots.map((s) => iso(s.start));
  /** A session of `t` as take writes it with the site's overlap. */
  const booked = (t: SlotType, start: number, overlap: number, overrides: Partial<SessionState> = {}) =>
    session({ start, end: start + t.durationMinutes * MIN, busyUntil: start + busySpan(t, overlap), ...overrides });

  it('packs a 60-minute type every 45 minutes with an overlap of 15, and every hour without', () => {
    const windows = [win(at('09:00'), at('13:00'))];
    expect(times(generateSlots(query({ type: hour, windows, overlapMinutes: overlap15 })))).toEqual(['09:00', '09:45', '10:30', '11:15', '12:00']);
    expect(times(generateSlots(query({ type: hour, windows })))).toEqual(['09:00', '10:00', '11:00', '12:00']);
    expect(times(generateSlots(query({ type: hour, windows, overlapMinutes: new Map() })))).toEqual(['09:00', '10:00', '11:00', '12:00']);
  });

  it("takes the buffer's place: the next starts overlapMinutes before the last ends, buffer or not", () => {
    const buffered = type({ durationMinutes: 60, bufferMinutes: 15 });
    const windows = [win(at('09:00'), at('12:00'))];
    expect(times(generateSlots(query({ type: buffered, windows, overlapMinutes: overlap15 })))).toEqual(['09:00', '09:45', '10:30']);
    expect(times(generateSlots(query({ type: buffered, windows })))).toEqual(['09:00', '10:15']);
  });

  it('applies in the windows at the sites whose policy is overlap, not at the others', () => {
    const windows = [win(at('09:00'), at('11:00')), win(at('13:00'), at('15:00'), { siteId: 's2', patternId: 'p2' })];
    expect(times(generateSlots(query({ type: hour, windows, overlapMinutes: overlap15 })))).toEqual(['09:00', '09:45', '13:00', '14:00']);
  });

  it('never starts the next at or before the last, however long the overlap', () => {
    const short = type({ durationMinutes: 10 });
    expect(busySpan(short, 15)).toBe(5 * MIN);
    expect(times(generateSlots(query({ type: short, windows: [win(at('09:00'), at('09:30'))], overlapMinutes: overlap15 })))).toEqual(['09:00', '09:05', '09:10', '09:15', '09:20']);
  });

  it.each(SCENARIOS)(
    "keeps to overbooking's rule (overlapAllowed): one adviser's consecutive new slots overlap by at most the overlap at the earlier one's site, and start after it (%s)",
    (_name, scenarios) => {
      fc.assert(
        fc.property(scenarios, ({ q }) => {
          const fresh = generateSlots(q).filter((s) => s.sessionId === null);
          for (const adviserId of ADVISERS) {
            const own = fresh.filter((s) => s.adviserId === adviserId);
            const bad = own.slice(1).filter((next, i) => {
              const previous = own[i];
              const overlap = q.overlapMinutes?.get(previous.siteId);
              const policy = overlap ? resolvePolicy({ mode: 'overlap', overlapMinutes: overlap }) : POLICY_OFF;
              return !(next.start > previous.start && overlapAllowed(policy, previous.end, next.start, q.type.durationMinutes));
            });
            expect(bad.map(describeSlot)).toEqual([]);
          }
        }),
        RUNS,
      );
    },
  );

  it('lets a booking start the overlap before one booked under it ends, not earlier, nor after one booked without it', () => {
    const windows = [win(at('09:00'), at('17:00'))];
    const check = (start: number, sessions: SessionState[], overlapMinutes = overlap15) => checkSlot({ start, type: hour, windows, sessions, earliestStart: -Infinity, overlapMinutes });
    const nine = booked(hour, at('09:00'), 15);
    expect(check(at('09:45'), [nine])).toEqual({ ok: true, window: windows[0], join: null });
    expect(check(at('09:40'), [nine])).toEqual({ ok: false, reason: 'CLASH' });
    // A session keeps the busy range it was booked with: one booked with no overlap holds its adviser to its end.
    expect(check(at('09:45'), [booked(hour, at('09:00'), 0)])).toEqual({ ok: false, reason: 'CLASH' });
    // And a session booked under the overlap still overlaps once the policy is off.
    expect(check(at('09:45'), [nine], new Map()).ok).toBe(true);
  });

  it('lets a booking run the overlap into one booked after it, where its own site has the overlap', () => {
    const windows = [win(at('09:00'), at('17:00'))];
    const later = booked(hour, at('10:45'), 0);
    const check = (start: number, overlapMinutes?: Map<string, number>) => checkSlot({ start, type: hour, windows, sessions: [later], earliestStart: -Infinity, overlapMinutes });
    expect(check(at('10:00'), overlap15).ok).toBe(true);
    expect(check(at('10:05'), overlap15)).toEqual({ ok: false, reason: 'CLASH' });
    expect(check(at('10:00'))).toEqual({ ok: false, reason: 'CLASH' });
    expect(check(at('10:00'), new Map([['s2', 15]]))).toEqual({ ok: false, reason: 'CLASH' });
  });

  describe('on the days the clocks change (Europe/London), in real minutes', () => {
    const london: SiteCalendar = { id: 's1', timezone: 'Europe/London', openingHours: null, closedDates: new Set() };
    const sundays: DiaryPattern = {
      id: 'p1',
      adviserId: 'a1',
      siteId: 's1',
      roomId: null,
      weekdays: [7],
      startTime: '00:00',
      endTime: '04:00',
      validFrom: '2027-01-01',
      validTo: null,
      appointmentTypes: ['T'],
    };
    const zone = london.timezone;
    const slotsOn = (date: string, pattern = sundays) => {
      const day = { start: localToInstant(zone, date, '00:00'), end: localToInstant(zone, date, '23:59') };
      return generateSlots(query({ type: hour, windows: expandPattern(pattern, london, day), range: day, overlapMinutes: overlap15 }));
    };
    const utc = (slots: Slot[]) => slots.map((s) => new Date(s.start).toISOString().slice(11, 16));
    const gaps = (slots: Slot[]) => slots.slice(1).map((s, i) => (s.start - slots[i].start) / MIN);

    it('Sunday 28 March 2027: across the skipped hour, starts stay 45 real minutes apart', () => {
      // 00:00 GMT to 04:00 BST is three real hours: 00:00, 00:45, then 01:30Z, which the clock shows as 02:30.
      const slots = slotsOn('2027-03-28');
      expect(utc(slots)).toEqual(['00:00', '00:45', '01:30']);
      expect(gaps(slots)).toEqual([45, 45]);
    });

    it('Sunday 31 October 2027: across the repeated hour, starts stay 45 real minutes apart', () => {
      // 00:00 BST (23:00Z the day before) to 04:00 GMT is five real hours; 01:30 BST is followed by 01:15 GMT.
      const slots = slotsOn('2027-10-31');
      expect(utc(slots)).toEqual(['23:00', '23:45', '00:30', '01:15', '02:00', '02:45']);
      expect(gaps(slots)).toEqual([45, 45, 45, 45, 45]);
    });

    it('in business hours on both Sundays, at the wall-clock times of any other day', () => {
      for (const date of ['2027-03-28', '2027-10-31', '2027-03-21']) {
        const slots = slotsOn(date, { ...sundays, startTime: '09:00', endTime: '17:00' });
        expect(slots.map((s) => formatInstant(s.start, zone).slice(11, 16))).toEqual(['09:00', '09:45', '10:30', '11:15', '12:00', '12:45', '13:30', '14:15', '15:00', '15:45']);
      }
    });

    it('a booking made then overlaps one booked under the overlap by real minutes', () => {
      // 00:30 GMT for an hour ends at 01:30Z, 02:30 BST on the clock: the next may start at 01:15Z (02:15 BST).
      const windows = expandPattern(sundays, london, { start: localToInstant(zone, '2027-03-28', '00:00'), end: localToInstant(zone, '2027-03-28', '23:59') });
      const previous = booked(hour, localToInstant(zone, '2027-03-28', '00:30'), 15);
      const check = (time: string) => checkSlot({ start: localToInstant(zone, '2027-03-28', time), type: hour, windows, sessions: [previous], earliestStart: -Infinity, overlapMinutes: overlap15 });
      expect(check('02:15').ok).toBe(true);
      expect(check('02:10')).toEqual({ ok: false, reason: 'CLASH' });
    });
  });
});
