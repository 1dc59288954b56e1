/**
 * Broad searches beside bookings (issue 11 point 3):  npm run bench:mixed
 *
 * On a fresh copy of the national dataset (careers_booking_bench_mixed, cloned from
 * careers_booking_bench), against the real application in a child process (one Node process):
 *   - bookings alone: 50 clients POST /v1/bookings in a closed loop, each request for a
 *     different free CAREERS_GUIDANCE slot (found and shuffled as bench:bookings finds them);
 *   - mixed: the same, while 10 broad searches a second (50 random sites x 2 weeks, every
 *     slot, as bench:slots' "50 sites, 2 weeks") arrive in an open loop;
 *   - searches alone: the 10 searches a second, nothing else.
 * Bookings alone and mixed alternate PAIRS times, SLICE seconds each, so that both meet the
 * same background load (other processes, and the app's reminder work left by the bookings
 * before). Goal: booking p99 under 150 ms with the searches running. The app's event-loop
 * delay (p99, max) is read for each phase: what a search holding the loop does to the rest.
 * pgbench's select-only script (1 client) runs before and after, as the machine's speed.
 *
 * Prints Markdown tables and writes bench/results/mixed-<time>.json. Never asserts.
 */
import './lib/paths';
import { Rng } from '../src/common/random/rng';
import { findSlots, post, Slot } from './lib/booking-load';
import { benchClassifier, CpuBreakdown, CpuMonitor, otherCores, waitForQuiet } from './lib/cpu';
import { DATASET_DB, dropDatabase, recreateDatabase } from './lib/db';
import { closedLoop, HttpClient, LoadRun, mergeRuns, openLoop } from './lib/http-load';
import { machine } from './lib/machine';
import { writeResult } from './lib/paths';
import { pgbenchSelect, preparePgbenchSelect } from './lib/pgbench-select';
import { ServerHandle } from './lib/server-handle';
import { slotPath, slotQueries } from './lib/slot-queries';
import { fmt, table } from './lib/stats';
import { ensureDataset, partnerKey } from './national-dataset';

const RUN_DB = 'careers_booking_bench_mixed';
const PGBENCH_DB = 'careers_booking_bench_select';
const CLIENTS = 50;
const SEARCHES_PER_SECOND = Number(process.env.BENCH_SEARCH_RATE ?? 10);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const SLICE = Number(process.env.BENCH_SLICE_SECONDS ?? 10);
const GOAL_P99 = 150;

type Kind = 'bookings alone' | 'mixed' | 'searches alone';

interface Phase {
  kind: Kind;
  bookings: LoadRun | null;
  searches: LoadRun | null;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  cpu: CpuBreakdown;
  quiet: { waitedMs: number; otherCores: number };
}

async function main() {
  const started = Date.now();
  const log = (s: string) => console.log(s);
  const meta = await ensureDataset(log);
  const box = await machine();
  log(`Searches beside bookings: ${box.nproc} cores (${box.cpuModel}), ${box.memoryGiB} GiB, Node ${box.node}, ${box.postgres.split(' on ')[0]}, commit ${box.commit.slice(0, 7)}`);
  const runUrl = await recreateDatabase(RUN_DB, DATASET_DB);
  await preparePgbenchSelect(PGBENCH_DB);
  const pgbenchBefore = await pgbenchSelect(PGBENCH_DB, 10);
  log(`  pgbench -S (1 client, 10 s) before: ${fmt(pgbenchBefore, 0)} tps`);

  const server = await ServerHandle.start(runUrl);
  const classify = benchClassifier(() => server.child.pid, [RUN_DB, PGBENCH_DB]);
  // Bookers and searchers on sockets of their own, as separate partners' systems would be.
  const bookers = new HttpClient(server.url, partnerKey(meta.seed, 0), CLIENTS + 8);
  const searchers = new HttpClient(server.url, partnerKey(meta.seed, 1), 64);
  const phases: Phase[] = [];
  try {
    const slots: Slot[] = new Rng('mixed').shuffle(await findSlots(bookers, meta, 'CAREERS_GUIDANCE', 30_000, log));
    let nextSlot = 0;
    const nextBooking = (tag: string) => () => (nextSlot < slots.length ? post(slots[nextSlot], `BENCH-MIX-${tag}-${nextSlot++}`) : null);
    const searches = slotQueries(meta, [], { key: 'mixed-fifty-sites', sites: 50, days: 14 }, 20_000);
    let nextSearch = 0;
    const search = () => ({ method: 'GET' as const, path: slotPath(searches[nextSearch++ % searches.length]) });

    // Warm-up: JIT, pool connections, the key cache, PostgreSQL's buffers.
    await closedLoop(bookers, { concurrency: CLIENTS, durationMs: 3000, maxRequests: slots.length, next: nextBooking('warm') });
    await openLoop(searchers, { rate: SEARCHES_PER_SECOND, durationMs: 3000, next: search });

    const phase = async (kind: Kind) => {
      const quiet = await waitForQuiet(classify);
      await server.call('reset');
      const monitor = new CpuMonitor(classify).start();
      const [bookings, found] = await Promise.all([
        kind === 'searches alone' ? null : closedLoop(bookers, { concurrency: CLIENTS, durationMs: SLICE * 1000, maxRequests: slots.length - nextSlot, next: nextBooking(String(phases.length)) }),
        kind === 'bookings alone' ? null : openLoop(searchers, { rate: SEARCHES_PER_SECOND, durationMs: SLICE * 1000, next: search }),
      ]);
      const cpu = monitor.stop();
      const { eventLoopDelayMs } = await server.call<{ eventLoopDelayMs: Phase['eventLoopDelayMs'] }>('stats');
      phases.push({ kind, bookings, searches: found, eventLoopDelayMs, cpu, quiet });
      log(
        `  ${kind.padEnd(14)} ` +
          (bookings ? `bookings ${fmt((bookings.statuses['201'] ?? 0) / (bookings.wallMs / 1000))}/s p50 ${fmt(bookings.latency.p50)} p99 ${fmt(bookings.latency.p99)} ms ${JSON.stringify(bookings.statuses)}  ` : '') +
          (found ? `searches ${fmt(found.throughput)}/s p50 ${fmt(found.latency.p50)} p95 ${fmt(found.latency.p95)} ms ${JSON.stringify(found.statuses)}  ` : '') +
          `event loop p99 ${fmt(eventLoopDelayMs.p99)} ms, other load ${otherCores(cpu)}`,
      );
    };
    for (let i = 0; i < PAIRS; i++) {
      await phase('bookings alone');
      await phase('mixed');
    }
    await phase('searches alone');
  } finally {
    bookers.close();
    searchers.close();
    await server.stop();
  }
  const pgbenchAfter = await pgbenchSelect(PGBENCH_DB, 10);
  log(`  pgbench -S (1 client, 10 s) after: ${fmt(pgbenchAfter, 0)} tps`);
  await dropDatabase(PGBENCH_DB);
  if (!process.env.BENCH_KEEP_DATABASES) await dropDatabase(RUN_DB);

  // --- report ------------------------------------------------------------------------
  const kinds: Kind[] = ['bookings alone', 'mixed', 'searches alone'];
  const rows = kinds.map((kind) => {
    const of = phases.filter((p) => p.kind === kind);
    const merged = (runs: LoadRun[]) => (runs.length ? mergeRuns(runs) : null);
    const b = merged(of.flatMap((p) => (p.bookings ? [p.bookings] : [])));
    const s = merged(of.flatMap((p) => (p.searches ? [p.searches] : [])));
    const loop = of.map((p) => p.eventLoopDelayMs);
    const range = (values: number[], digits = 1) => `${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)}`;
    return [
      kind, of.length,
      b ? fmt((b.statuses['201'] ?? 0) / (b.wallMs / 1000)) : '–', b ? fmt(b.latency.p50) : '–', b ? fmt(b.latency.p95) : '–', b ? fmt(b.latency.p99) : '–',
      b ? (b.latency.p99 < GOAL_P99 ? `met (< ${GOAL_P99})` : `missed (< ${GOAL_P99})`) : '–',
      s ? fmt(s.throughput) : '–', s ? fmt(s.latency.p50) : '–', s ? fmt(s.latency.p95) : '–', s ? fmt(s.latency.p99) : '–',
      range(loop.map((l) => l.p99)), range(loop.map((l) => l.max)),
      range(of.map((p) => p.cpu.groups['app server (Node)'] ?? 0), 2), range(of.map((p) => p.cpu.groups['postgres (bench database)'] ?? 0), 2), range(of.map((p) => otherCores(p.cpu)), 2),
    ];
  });
  console.log(`\n### Broad searches beside bookings (one app process, ${CLIENTS} booking clients, ${SEARCHES_PER_SECOND} searches/s of 50 sites × 2 weeks)\n`);
  console.log(`pgbench -S, 1 client, in the same run: ${fmt(pgbenchBefore, 0)} tps before, ${fmt(pgbenchAfter, 0)} after; ${PAIRS} × ${SLICE} s per kind with bookings, alternated\n`);
  console.log(table(
    ['phase', 'slices', 'bookings/s', 'booking p50 ms', 'p95 ms', 'p99 ms', 'booking p99 goal', 'searches/s', 'search p50 ms', 'p95 ms', 'p99 ms', 'event-loop delay p99 ms', 'max ms', 'app cores', 'postgres cores', 'other load (cores)'],
    rows,
  ));
  const file = writeResult('mixed', {
    machine: box,
    dataset: meta,
    clients: CLIENTS,
    searchesPerSecond: SEARCHES_PER_SECOND,
    pgbenchSelect: { before: pgbenchBefore, after: pgbenchAfter },
    phases: phases.map((p) => ({ ...p, bookings: p.bookings && { ...p.bookings, samples: undefined }, searches: p.searches && { ...p.searches, samples: undefined } })),
    seconds: (Date.now() - started) / 1000,
  });
  console.log(`\nResults: ${file}  (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
