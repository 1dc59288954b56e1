/**
 * The inbound SMS webhook under a realistic mix of replies:  npm run bench:replies
 *
 * Issue 9 point 5: Twilio's incoming-message webhook (POST /v1/webhooks/twilio/sms) answers
 * in under 200 ms at p95. On a fresh database (careers_booking_bench_replies), built through
 * the API as an administrator would: 4 sites of 5 advisers, 30-minute appointments, and one
 * booking each for CUSTOMERS customers with mobiles of their own. The app is bench/server.ts
 * (createApp, logger off) in a child process with Twilio's credentials, RUN_WORKER=false (the
 * webhook alone, as with `npm run worker` apart) and a fixed PUBLIC_BASE_URL, which each request
 * is signed against by the real twilio library, as Twilio signs.
 *
 * Each customer has one conversation, drawn from the mix: YES 45%, free text 20%, MOVE then
 * 1 15% (the 1 sent once the MOVE is answered), NO 12%, STOP 8%.
 *   1. Latency at a steady arrival rate (RATE conversations a second, open loop): PAIRS slices
 *      of SLICE seconds, each followed by a baseline slice at the same rate so both meet the
 *      same background load. The baseline is the same webhook with a wrong signature (403
 *      SIGNATURE_INVALID): the HTTP stack, form parsing and signature check, none of the handling.
 *   2. Throughput: CONCURRENCY clients back to back (closed loop) for SLICE seconds, the mix
 *      then the baseline.
 * Afterwards the outcomes are counted in PostgreSQL, against what each message should have done.
 * BENCH_REPLIES_CUSTOMERS (2500), BENCH_REPLIES_RATE (5), BENCH_PAIRS (3), BENCH_SLICE_SECONDS (10)
 * and BENCH_REPLIES_CONCURRENCY (10) change the run. Prints Markdown tables and writes
 * bench/results/replies-<time>.json. Never asserts.
 */
import './lib/paths';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DateTime } from 'luxon';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { Rng } from '../src/common/random/rng';
import { migrate } from '../src/common/database/migrator';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_FROM } from '../test/support/twilio-stand-in';
import { benchClassifier, CpuMonitor, otherCores, waitForQuiet } from './lib/cpu';
import { recreateDatabase, withClient } from './lib/db';
import { HttpClient, Response } from './lib/http-load';
import { machine } from './lib/machine';
import { writeResult } from './lib/paths';
import { ADMIN_KEY, ServerHandle } from './lib/server-handle';
import { fmt, summarise, table } from './lib/stats';

const DB = 'careers_booking_bench_replies';
const CUSTOMERS = Number(process.env.BENCH_REPLIES_CUSTOMERS ?? 2500);
// A peak the service might see nationally: 100,000 reminders a day, a third answered, most within a few hours of the sends, is about 3 a second.
const RATE = Number(process.env.BENCH_REPLIES_RATE ?? 5);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const SLICE = Number(process.env.BENCH_SLICE_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_REPLIES_CONCURRENCY ?? 10);
const SITES = 4;
const ADVISERS_PER_SITE = 5;
const PUBLIC_BASE_URL = 'https://careers-booking.example';
const PATH = '/v1/webhooks/twilio/sms';
const ZONE = 'Europe/London';

type Kind = 'YES' | 'NO' | 'MOVE' | '1' | 'STOP' | 'free text';
interface Message {
  kind: Kind;
  body: string;
}
/** What each kind of message should have done, as inbound_messages.outcome records it. */
const EXPECTED: Record<Kind, string> = { YES: 'confirmed', NO: 'cancelled', MOVE: 'offered', '1': 'moved', STOP: 'opted_out', 'free text': 'follow_up' };

/** Each customer's conversation, and how often it comes. */
const MIX: (readonly [(rng: Rng) => Message[], number])[] = [
  [(rng) => [{ kind: 'YES', body: rng.pick(['Yes', 'YES', 'yes thanks', 'Yes see you then']) }], 45],
  [(rng) => [{ kind: 'free text', body: rng.pick(['Running 10 min late sorry', 'Can I bring my CV?', 'Is there parking near by', 'who is this']) }], 20],
  [(rng) => [{ kind: 'MOVE', body: rng.pick(['MOVE', 'move please']) }, { kind: '1', body: '1' }], 15],
  [(rng) => [{ kind: 'NO', body: rng.pick(['No', 'NO cant make it']) }], 12],
  [() => [{ kind: 'STOP', body: 'STOP' }], 8],
];

interface Conversation {
  mobile: string;
  messages: Message[];
}

interface Sample {
  kind: Kind | 'baseline';
  ms: number;
  status: number;
}

const mobileOf = (i: number) => `+447911${String(i).padStart(6, '0')}`;

/** Twilio's incoming-message webhook for `body` from `from`, signed by the twilio library unless `forged`. */
function webhook(from: string, body: string, forged = false) {
  const sid = `SM${randomBytes(16).toString('hex')}`;
  const form = { ToCountry: 'GB', SmsSid: sid, MessageSid: sid, SmsMessageSid: sid, AccountSid: TEST_ACCOUNT_SID, From: from, To: TEST_FROM, Body: body, NumMedia: '0', NumSegments: '1', ApiVersion: '2010-04-01' };
  const signature = getExpectedTwilioSignature(forged ? `${TEST_AUTH_TOKEN}-wrong` : TEST_AUTH_TOKEN, `${PUBLIC_BASE_URL}${PATH}`, form);
  return { method: 'POST' as const, path: PATH, form, headers: { 'x-twilio-signature': signature } };
}

/** Sites, advisers with weekday diaries from the Monday at least two weeks ahead, and one booking per customer. */
async function build(admin: HttpClient, log: (s: string) => void): Promise<void> {
  const ok = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await admin.json<T>({ method: 'POST', path, body });
    if (res.status !== 201 && res.status !== 200) throw new Error(`POST ${path} -> ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const organisation = await ok<{ id: string }>('/v1/organisations', { name: 'Bench careers provider', kind: 'provider' });
  const type = await ok<{ code: string }>('/v1/appointment-types', { code: 'CAREERS_GUIDANCE', name: 'Careers guidance', durationMinutes: 30, capacity: 1, channel: 'face_to_face', bufferMinutes: 0 });
  let monday = DateTime.now().setZone(ZONE).startOf('day').plus({ days: 14 });
  monday = monday.minus({ days: monday.weekday - 1 });
  const advisers: { siteId: string; adviserId: string }[] = [];
  for (let s = 0; s < SITES; s++) {
    // No bank holidays: the run's dates depend on the day it is run.
    const site = await ok<{ id: string }>('/v1/sites', { name: `Jobcentre ${s + 1}`, kind: 'jobcentre', address: `${s + 1} High Street, Lewisham`, postcode: 'SE13 6LG', bankHolidays: 'NONE' });
    for (let a = 0; a < ADVISERS_PER_SITE; a++) {
      const adviser = await ok<{ id: string }>('/v1/advisers', { name: `Adviser ${s + 1}.${a + 1}`, email: `adviser.${s + 1}.${a + 1}@careers.example`, organisationId: organisation.id, appointmentTypes: [type.code] });
      await ok(`/v1/advisers/${adviser.id}/patterns`, { siteId: site.id, weekdays: ['MON', 'TUE', 'WED', 'THU', 'FRI'], startTime: '09:00', endTime: '17:00', validFrom: monday.toISODate(), appointmentTypes: [type.code] });
      advisers.push({ siteId: site.id, adviserId: adviser.id });
    }
  }
  // Slots in order: every adviser's 09:00, then 09:30, ..., day by day over weekdays.
  const slots: { siteId: string; adviserId: string; start: string }[] = [];
  for (let day = monday; slots.length < CUSTOMERS; day = day.plus({ days: 1 })) {
    if (day.weekday > 5) continue;
    for (let half = 0; half < 16 && slots.length < CUSTOMERS; half++) {
      for (const a of advisers) if (slots.length < CUSTOMERS) slots.push({ ...a, start: day.set({ hour: 9 }).plus({ minutes: 30 * half }).toISO()! });
    }
  }
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < slots.length) {
        const i = next++;
        const slot = slots[i];
        await ok('/v1/bookings', {
          appointmentType: type.code,
          siteId: slot.siteId,
          adviserId: slot.adviserId,
          start: slot.start,
          customer: { reference: `R-${i}`, name: 'Sam Taylor', mobile: mobileOf(i), preferredChannel: 'sms', consentToContact: true },
          referral: { source: 'jcp', referrerName: 'J. Okafor', reason: 'Career change', mandatory: false },
        });
      }
    }),
  );
  log(`  ${slots.length} bookings made through the API in ${fmt((performance.now() - t0) / 1000)} s, from ${monday.toISODate()}`);
}

/** Sends a conversation's messages one after another, each once the previous is answered. */
async function converse(client: HttpClient, conversation: Conversation, samples: Sample[]): Promise<void> {
  for (const message of conversation.messages) {
    const res: Response = await client.send(webhook(conversation.mobile, message.body));
    samples.push({ kind: message.kind, ms: res.ms, status: res.status });
  }
}

// Loops of conversations rather than lib/http-load's closedLoop of single requests: a MOVE's
// 1 must wait for the MOVE's answer, as a customer's does.

/** Starts a conversation RATE times a second for `seconds`, without waiting for answers to start the next (open loop). */
async function steadyRate(seconds: number, start: (samples: Sample[]) => Promise<void> | null): Promise<{ samples: Sample[]; wallMs: number; started: number }> {
  const samples: Sample[] = [];
  const running: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < seconds * RATE; i++) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const conversation = start(samples);
    if (!conversation) break;
    running.push(conversation);
  }
  await Promise.all(running);
  return { samples, wallMs: performance.now() - t0, started: running.length };
}

/** CONCURRENCY clients, each starting the next conversation when its last is answered, for `seconds`. */
async function backToBack(seconds: number, start: (samples: Sample[]) => Promise<void> | null): Promise<{ samples: Sample[]; wallMs: number }> {
  const samples: Sample[] = [];
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const conversation = start(samples);
        if (!conversation) return;
        await conversation;
      }
    }),
  );
  return { samples, wallMs: performance.now() - t0 };
}

const KINDS: (Kind | 'baseline')[] = ['YES', 'NO', 'MOVE', '1', 'STOP', 'free text', 'baseline'];

function latencyRows(samples: Sample[]) {
  const groups: [string, Sample[]][] = [...KINDS.map((k) => [k, samples.filter((s) => s.kind === k)] as [string, Sample[]]), ['every reply (the mix)', samples.filter((s) => s.kind !== 'baseline')]];
  return groups
    .filter(([, list]) => list.length)
    .map(([label, list]) => {
      const summary = summarise(list.map((s) => s.ms));
      const statuses: Record<number, number> = {};
      for (const s of list) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
      return { label, ...summary, statuses };
    });
}

async function main() {
  const log = (s: string) => console.log(s);
  const box = await machine();
  log(`Inbound SMS benchmark: ${box.nproc} cores (${box.cpuModel}), ${box.memoryGiB} GiB, Node ${box.node}, ${box.postgres.split(' on ')[0]}, load average ${box.loadAverage.map((l) => fmt(l, 2)).join(' ')}`);
  const url = await recreateDatabase(DB);
  await migrate(url);
  const server = await ServerHandle.start(url, {
    TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    TWILIO_FROM: TEST_FROM,
    // Never called: RUN_WORKER=false sends nothing.
    TWILIO_API_URL: 'http://127.0.0.1:9',
    RUN_WORKER: 'false',
    PUBLIC_BASE_URL,
  });
  const classify = benchClassifier(() => server.child.pid, [DB]);
  const admin = new HttpClient(server.url, ADMIN_KEY, 16);
  // Twilio's webhook carries no API key: the client's Authorization header goes unread.
  const client = new HttpClient(server.url, 'none', Math.max(CONCURRENCY, RATE) * 4);
  try {
    await build(admin, log);
    const rng = new Rng('replies');
    const conversations: Conversation[] = Array.from({ length: CUSTOMERS }, (_, i) => ({ mobile: mobileOf(i), messages: rng.weighted(MIX)(rng) }));
    let taken = 0;
    const mix = (samples: Sample[]) => (taken < conversations.length ? converse(client, conversations[taken++], samples) : null);
    let forged = 0;
    const baseline = async (samples: Sample[]) => {
      const res = await client.send(webhook(mobileOf(forged++ % CUSTOMERS), 'Yes', true));
      samples.push({ kind: 'baseline', ms: res.ms, status: res.status });
    };

    // Warm-up: compiled paths, pool connections, the first MOVE's slot search.
    await backToBack(3, mix);
    log(`  warm-up: ${taken} conversations`);

    const open: Sample[] = [];
    const slices: { mixMs: number; baselineMs: number; quiet: { waitedMs: number; otherCores: number }; otherCoresMix: number; otherCoresBaseline: number; mixP95: number; baselineP95: number }[] = [];
    for (let pair = 0; pair < PAIRS; pair++) {
      const quiet = await waitForQuiet(classify);
      let cpu = new CpuMonitor(classify).start();
      const a = await steadyRate(SLICE, mix);
      const cpuMix = cpu.stop();
      cpu = new CpuMonitor(classify).start();
      const b = await steadyRate(SLICE, baseline);
      const cpuBaseline = cpu.stop();
      open.push(...a.samples, ...b.samples);
      const p95 = (list: Sample[]) => summarise(list.map((s) => s.ms)).p95;
      slices.push({ mixMs: a.wallMs, baselineMs: b.wallMs, quiet, otherCoresMix: otherCores(cpuMix), otherCoresBaseline: otherCores(cpuBaseline), mixP95: p95(a.samples), baselineP95: p95(b.samples) });
      log(`  slice ${pair + 1}: ${a.started} conversations at ${RATE}/s, p95 ${fmt(p95(a.samples))} ms (other load ${otherCores(cpuMix)} cores) | baseline p95 ${fmt(p95(b.samples))} ms (other load ${otherCores(cpuBaseline)} cores)`);
    }

    await waitForQuiet(classify);
    const cpuClosed = new CpuMonitor(classify).start();
    const closedMix = await backToBack(SLICE, mix);
    const closedMixCpu = cpuClosed.stop();
    const cpuClosedBase = new CpuMonitor(classify).start();
    const closedBaseline = await backToBack(SLICE, baseline);
    const closedBaselineCpu = cpuClosedBase.stop();
    const perSecond = (run: { samples: Sample[]; wallMs: number }) => run.samples.length / (run.wallMs / 1000);
    log(`  throughput with ${CONCURRENCY} clients: ${fmt(perSecond(closedMix))} replies/s (baseline ${fmt(perSecond(closedBaseline))}/s); ${taken} of ${CUSTOMERS} conversations used`);

    // What each message did, by SQL: every outcome against the kind of message sent.
    const outcomes = await withClient(url, async (c) => (await c.query<{ intent: string; outcome: string | null; n: string }>('SELECT intent, outcome, count(*) AS n FROM inbound_messages GROUP BY 1, 2 ORDER BY 3 DESC')).rows);
    const sent: Record<string, number> = {};
    for (const conversation of conversations.slice(0, taken)) for (const m of conversation.messages) sent[EXPECTED[m.kind]] = (sent[EXPECTED[m.kind]] ?? 0) + 1;

    const openRows = latencyRows(open);
    log(`\n## Inbound SMS webhook: ${RATE} conversations a second (open loop), ${PAIRS} x ${SLICE} s, baseline slices between\n`);
    log(table(['message', 'count', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'statuses'], openRows.map((r) => [r.label, r.count, fmt(r.p50), fmt(r.p95), fmt(r.p99), fmt(r.max), JSON.stringify(r.statuses)])));
    log(`\n## Throughput: ${CONCURRENCY} clients back to back, ${SLICE} s each\n`);
    log(
      table(
        ['run', 'replies/s', 'p50 ms', 'p95 ms', 'p99 ms', 'app server cores', 'other load (cores)'],
        [
          ['the mix', fmt(perSecond(closedMix)), ...percentiles(closedMix.samples), fmt(closedMixCpu.groups['app server (Node)'] ?? 0, 2), fmt(otherCores(closedMixCpu), 2)],
          ['baseline (403, wrong signature)', fmt(perSecond(closedBaseline)), ...percentiles(closedBaseline.samples), fmt(closedBaselineCpu.groups['app server (Node)'] ?? 0, 2), fmt(otherCores(closedBaselineCpu), 2)],
        ],
      ),
    );
    log(`\n## Outcomes recorded (inbound_messages) against the messages sent\n`);
    log(table(['intent', 'outcome', 'count'], outcomes.map((o) => [o.intent, o.outcome ?? '(none)', o.n])));
    log(`\nExpected by kind sent: ${JSON.stringify(sent)}`);

    const file = writeResult('replies', {
      machine: box,
      customers: CUSTOMERS,
      rate: RATE,
      pairs: PAIRS,
      slice: SLICE,
      concurrency: CONCURRENCY,
      mix: MIX.map(([, weight]) => weight),
      open: openRows,
      slices,
      closed: { mix: { perSecond: perSecond(closedMix), rows: latencyRows(closedMix.samples), cpu: closedMixCpu }, baseline: { perSecond: perSecond(closedBaseline), rows: latencyRows(closedBaseline.samples), cpu: closedBaselineCpu } },
      outcomes,
      expected: sent,
    });
    log(`\nWritten to ${file}`);
  } finally {
    admin.close();
    client.close();
    await server.stop();
  }
}

const percentiles = (samples: Sample[]) => {
  const s = summarise(samples.map((x) => x.ms));
  return [fmt(s.p50), fmt(s.p95), fmt(s.p99)];
};

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
