/**
 * Slot search benchmark:  npm run bench:slots
 *
 * GET /v1/slots over HTTP on loopback against the real application (bench/server.ts, a
 * child process) on the national dataset (built first if missing or stale), in four shapes:
 *   - one site over 4 weeks (a partner looking at one venue),        goal p95 < 20 ms
 *   - 50 sites over 2 weeks (a partner looking across a whole area), goal p95 < 100 ms
 *   - the same 50 sites, the next 10 slots (limit=10),               goal p95 < 30 ms
 *   - the sites near a jobcentre (nearSiteId), the next 10 slots,    goal p95 < 30 ms
 * each at several concurrency levels, with a random site (or 50 random sites) and a
 * random appointment type per request from a seeded generator, so runs are comparable.
 * pgbench's select-only script (1 client) runs before and after, as the machine's speed in
 * the same run: each p95 is also given in pgbench -S transactions.
 * Then the same queries in-process (SlotsService.search), and step by step (SQL, diary
 * expansion, generateSlots, formatting, JSON), to show where the time goes.
 *
 * Prints Markdown tables and writes bench/results/slot-search-<time>.json. Never asserts.
 */
import './lib/paths';
import { benchClassifier, CpuBreakdown, CpuMonitor, otherCores, waitForQuiet } from './lib/cpu';
import { isNear } from '../src/sites/domain/nearby';
import { loadDefaults } from '../src/common/config/config';
import { databaseUrl, DATASET_DB, dropDatabase, withClient } from './lib/db';
import { pgbenchSelect, preparePgbenchSelect } from './lib/pgbench-select';
import { closedLoop, HttpClient, LoadRun, Request } from './lib/http-load';
import { machine } from './lib/machine';
import { writeResult } from './lib/paths';
import type { ProfileSummary } from './lib/profile';
import { ServerHandle } from './lib/server-handle';
import { SearchShape, slotPath as path, slotQueries as queries } from './lib/slot-queries';
import { fmt, summarise, Summary, table } from './lib/stats';
import { ensureDataset, partnerKey } from './national-dataset';
import type { RouteStats } from './server';

interface Scenario extends SearchShape {
  title: string;
  goalP95: number;
  levels: number[];
  durationMs: number;
  minRequests: number;
  maxMs: number;
  inProcess: number;
}

const SCENARIOS: Scenario[] = [
  { key: 'one-site', title: '1 site, 4 weeks', sites: 1, days: 28, goalP95: 20, levels: [1, 8, 32], durationMs: 10_000, minRequests: 200, maxMs: 30_000, inProcess: 100 },
  { key: 'fifty-sites', title: '50 sites, 2 weeks', sites: 50, days: 14, goalP95: 100, levels: [1, 4, 16], durationMs: 10_000, minRequests: 30, maxMs: 45_000, inProcess: 20 },
  { key: 'fifty-sites-next-10', title: '50 sites, 2 weeks, next 10', sites: 50, limit: 10, days: 14, goalP95: 30, levels: [1, 4, 16], durationMs: 10_000, minRequests: 100, maxMs: 30_000, inProcess: 0 },
  { key: 'near-next-10', title: 'near a jobcentre, 2 weeks, next 10', sites: 'near', limit: 10, days: 14, goalP95: 30, levels: [1, 4], durationMs: 10_000, minRequests: 100, maxMs: 30_000, inProcess: 0 },
];
const PGBENCH_DB = 'careers_booking_bench_select';
/** Scenarios profiled, with the clients to profile them under. */
const PROFILED: Record<string, number> = { 'one-site': 8, 'fifty-sites': 1 };

/** Number of slots in a response body, without parsing it. */
function countSlots(body: string): number {
  let n = 0;
  for (let i = body.indexOf('"adviserId"'); i >= 0; i = body.indexOf('"adviserId"', i + 11)) n++;
  return n;
}


interface LevelResult {
  scenario: string;
  run: LoadRun;
  slotsPerResponse: number;
  server: { total: Summary; dbWall: Summary; poolWait: Summary; queriesPerRequest: number; eventLoopDelayP99Ms: number };
  cpu: CpuBreakdown;
  quiet: { waitedMs: number; otherCores: number };
}

// As the app reads it (bench/server.ts passes the environment on).
const NEAR_KM = Number(process.env.NEAR_KM || loadDefaults().NEAR_KM);

async function main() {
  const started = Date.now();
  const meta = await ensureDataset();
  const box = await machine();
  console.log(`Slot search benchmark on ${DATASET_DB} (${meta.counts.sites} sites, ${meta.counts.advisers} advisers, ${meta.counts.sessions} booked sessions, weeks from ${meta.startDate})`);
  console.log(`${box.nproc} cores (${box.cpuModel}), ${box.memoryGiB} GiB, Node ${box.node}, ${box.postgres.split(' on ')[0]}`);

  const places: { id: string; kind: string; area: string | null; latitude: number | null; longitude: number | null }[] = await withClient(databaseUrl(DATASET_DB), (c) =>
    c.query('SELECT id, kind, area, latitude, longitude FROM sites ORDER BY id').then((r) => r.rows),
  );
  const jobcentres = places.filter((p) => p.kind === 'jobcentre').map((p) => p.id);
  // How many sites a nearSiteId search takes, worked out with the service's own rule.
  const placeOf = (p: (typeof places)[number]) => ({ area: p.area, point: p.latitude === null ? null : { latitude: p.latitude, longitude: p.longitude! } });
  const nearCounts = summarise(jobcentres.map((id) => places.filter((p) => isNear(placeOf(places.find((j) => j.id === id)!), placeOf(p), NEAR_KM)).length));
  console.log(`Sites near a jobcentre (same area or within ${NEAR_KM} km), over ${jobcentres.length} jobcentres: p50 ${nearCounts.p50}, p95 ${nearCounts.p95}, max ${nearCounts.max}`);
  await preparePgbenchSelect(PGBENCH_DB);
  const pgbenchBefore = await pgbenchSelect(PGBENCH_DB, 10);
  console.log(`pgbench -S (1 client, 10 s) before: ${fmt(pgbenchBefore, 0)} tps`);

  const server = await ServerHandle.start(databaseUrl(DATASET_DB));
  const classify = benchClassifier(() => server.child.pid, [DATASET_DB, PGBENCH_DB]);
  const client = new HttpClient(server.url, partnerKey(meta.seed, 0));
  console.log(`App listening on ${server.url} (DB pool ${server.pool})`);
  // Server-side timings (SQL, pool waits) are wanted for every run here.
  await server.call('instrument', { on: true });

  const levels: LevelResult[] = [];
  const inProcess: Record<string, Record<string, number>[]> = {};
  const profiles: Record<string, { run: LoadRun; file: string; summary: ProfileSummary; concurrency: number }> = {};
  try {
    // Warm-up: JIT, pool connections, the key cache, PostgreSQL's buffers.
    for (const s of SCENARIOS) {
      const warm = queries(meta, jobcentres, { ...s, key: `${s.key}-warm-up` }, s.sites === 1 ? 60 : 6).map((q) => ({ method: 'GET', path: path(q) }) as Request);
      await closedLoop(client, { concurrency: 2, durationMs: 60_000, maxRequests: warm.length, next: (i) => warm[i] ?? null });
    }

    for (const s of SCENARIOS) {
      const list = queries(meta, jobcentres, s, 20_000);
      for (const concurrency of s.levels) {
        const quiet = await waitForQuiet(classify);
        await server.call('reset');
        const monitor = new CpuMonitor(classify).start();
        let sampled = 0;
        let slotCount = 0;
        const run = await closedLoop(client, {
          concurrency,
          durationMs: s.durationMs,
          minRequests: s.minRequests,
          maxMs: s.maxMs,
          maxRequests: list.length,
          next: (i) => ({ method: 'GET', path: path(list[i]) }),
          onResponse: (_req, res) => {
            if (res.status === 200 && sampled < 400) {
              sampled++;
              slotCount += countSlots(res.body);
            }
          },
        });
        const cpu = monitor.stop();
        const stats = await server.call<{ routes: Record<string, RouteStats>; eventLoopDelayMs: { p99: number } }>('stats');
        const route = stats.routes['GET /v1/slots'];
        const result: LevelResult = {
          scenario: s.key,
          run,
          slotsPerResponse: sampled ? slotCount / sampled : 0,
          server: {
            total: summarise(route?.totalMs ?? []),
            dbWall: summarise(route?.dbWallMs ?? []),
            poolWait: summarise(route?.poolWaitMs ?? []),
            queriesPerRequest: route ? route.queries.reduce((a, b) => a + b, 0) / route.requests : 0,
            eventLoopDelayP99Ms: stats.eventLoopDelayMs.p99,
          },
          cpu,
          quiet,
        };
        levels.push(result);
        console.log(
          `  ${s.title.padEnd(18)} c=${String(concurrency).padEnd(3)} ${String(run.requests).padStart(5)} req  ${fmt(run.throughput, 1).padStart(7)} req/s  p50 ${fmt(run.latency.p50)}  p95 ${fmt(run.latency.p95)}  p99 ${fmt(run.latency.p99)} ms  ` +
            `statuses ${JSON.stringify(run.statuses)}  other CPU ${otherCores(cpu)} cores`,
        );
      }
      // A CPU profile of the server, uninstrumented: one-site searches under 8 clients, the
      // 50-site one alone (where its time goes).
      const profiled = PROFILED[s.key];
      if (profiled) {
        await server.call('instrument', { on: false });
        await server.call('profile-start');
        const run = await closedLoop(client, { concurrency: profiled, durationMs: 8000, maxRequests: list.length, next: (i) => ({ method: 'GET', path: path(list[list.length - 1 - i]) }) });
        profiles[s.key] = { run, concurrency: profiled, ...(await server.call<{ file: string; summary: ProfileSummary }>('profile-stop', { name: `slot-search-server-${s.key}` })) };
        await server.call('instrument', { on: true });
      }
      // Paired: each query over HTTP, then at once the same query in-process, first through
      // SlotsService.search and then step by step. Pairing cancels slow drifts in background load.
      const pairs: Record<string, number>[] = [];
      for (const q of list.slice(0, s.inProcess)) {
        const res = await client.send({ method: 'GET', path: path(q) });
        const [row] = await server.call<Record<string, number>[]>('search-inprocess', { queries: [q] });
        pairs.push({ ...row, http: res.ms, overhead: res.ms - row.total });
      }
      inProcess[s.key] = pairs;
    }
  } finally {
    client.close();
    await server.stop();
  }
  const pgbenchAfter = await pgbenchSelect(PGBENCH_DB, 10);
  console.log(`pgbench -S (1 client, 10 s) after: ${fmt(pgbenchAfter, 0)} tps`);
  await dropDatabase(PGBENCH_DB);
  // The machine's speed in this run: one pgbench -S transaction, in ms.
  const selectMs = 1000 / ((pgbenchBefore + pgbenchAfter) / 2);

  // --- report ------------------------------------------------------------------------
  const httpRows = levels.map((l) => {
    const s = SCENARIOS.find((x) => x.key === l.scenario)!;
    return [
      s.title, l.run.concurrency, l.run.requests, fmt(l.run.throughput, 1), fmt(l.run.latency.p50), fmt(l.run.latency.p95), fmt(l.run.latency.p99),
      l.run.latency.p95 < s.goalP95 ? `met (< ${s.goalP95})` : `missed (< ${s.goalP95})`, fmt(l.run.latency.p95 / selectMs, 0), fmt(l.slotsPerResponse, 0), fmt(l.run.bytesPerResponse / 1024, 0),
      fmt(l.server.total.p50), fmt(l.server.dbWall.p50), fmt(l.server.poolWait.p95), fmt(l.server.queriesPerRequest, 1), fmt(otherCores(l.cpu), 2),
    ];
  });
  console.log('\n### Slot search over HTTP (GET /v1/slots, loopback, keep-alive)\n');
  console.log(`pgbench -S, 1 client, in the same run: ${fmt(pgbenchBefore, 0)} tps before, ${fmt(pgbenchAfter, 0)} after (${fmt(selectMs, 3)} ms a transaction)\n`);
  console.log(table(
    ['scenario', 'clients', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'p95 goal', 'p95 / pgbench -S', 'slots/resp', 'KB/resp', 'server p50 ms', 'SQL wall p50 ms', 'pool wait p95 ms', 'queries/req', 'other load (cores)'],
    httpRows,
  ));

  const cpuRows = levels.map((l) => {
    const s = SCENARIOS.find((x) => x.key === l.scenario)!;
    const g = l.cpu.groups;
    return [s.title, l.run.concurrency, fmt(l.cpu.machineBusyCores, 2), fmt(g['app server (Node)'] ?? 0, 2), fmt(g['postgres (bench database)'] ?? 0, 2), fmt(g['bench client (load generator)'] ?? 0, 2), fmt(otherCores(l.cpu), 2), fmt(l.server.eventLoopDelayP99Ms, 1)];
  });
  console.log('\n### Where the CPU went during each run (cores busy, of 2)\n');
  console.log(table(['scenario', 'clients', 'machine busy', 'app server', 'postgres (bench db)', 'load generator', 'other processes', 'event-loop delay p99 ms'], cpuRows));

  const breakdownRows = SCENARIOS.filter((s) => s.inProcess > 0).map((s) => {
    const rows = inProcess[s.key] ?? [];
    const col = (k: string) => summarise(rows.map((r) => r[k]));
    const total = col('total');
    return [
      s.title, rows.length, fmt(total.p50), fmt(total.p95), fmt(col('sql').p50), fmt(col('queries').p50, 0), fmt(col('loadDomain').p50), fmt(col('generate').p50), fmt(col('format').p50), fmt(col('json').p50),
      fmt(col('http').p50), fmt(col('overhead').p50), fmt(col('windows').p50, 0), fmt(col('sessions').p50, 0), fmt(col('slots').p50, 0),
    ];
  });
  console.log('\n### In-process SlotsService.search, step by step, paired with the same query over HTTP (medians, ms)\n');
  console.log(table(
    ['scenario', 'searches', 'search() p50', 'search() p95', 'SQL (wall)', 'queries', 'diary expansion', 'generateSlots', 'format (luxon)', 'JSON', 'HTTP p50', 'HTTP - in-process (paired)', 'windows', 'sessions loaded', 'slots'],
    breakdownRows,
  ));

  for (const [key, profile] of Object.entries(profiles)) {
    const title = SCENARIOS.find((x) => x.key === key)!.title;
    console.log(`\n### CPU profile of the app server, ${title}, ${profile.concurrency} client(s) (${fmt(profile.run.throughput)} req/s while profiled; self time)\n`);
    console.log(table(['package / app folder', 'share %'], profile.summary.categories.slice(0, 14).map((c) => [c.name, fmt(c.share, 1)])));
    console.log('');
    console.log(table(['function', 'where', 'share %'], profile.summary.functions.slice(0, 16).map((f) => [f.name, f.where, fmt(f.share, 1)])));
    console.log(`\n(full profile: ${profile.file})`);
  }

  const file = writeResult('slot-search', {
    machine: box,
    dataset: meta,
    scenarios: SCENARIOS,
    pgbenchSelect: { before: pgbenchBefore, after: pgbenchAfter },
    nearCounts,
    levels,
    inProcess,
    profiles,
    seconds: (Date.now() - started) / 1000,
  });
  console.log(`\nResults: ${file}  (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
