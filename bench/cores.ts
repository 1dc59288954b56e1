/**
 * Using the cores: throughput of 1 and of N HTTP processes on this machine (BENCH_PROCESSES,
 * as WEB_CONCURRENCY runs the service):  npm run bench:cores
 *
 * On the national dataset, for each process count of BENCH_CORES_PROCESSES (default "1,2"),
 * alternated over BENCH_ROUNDS rounds (default 2) so that both see the same background load:
 * the server started with that many processes, warmed up, then one-site slot searches
 * (4 weeks, the commonest partner search, CPU-bound in Node) with BENCH_CORES_CLIENTS closed-
 * loop clients (default 32) for BENCH_SLICE_SECONDS (10). Reports searches/s, latency, and
 * the CPU each side used per search (app processes, PostgreSQL backends), from /proc.
 * Read-only: the dataset is searched, never changed. Never asserts.
 */
import './lib/paths';
import { benchClassifier, CpuMonitor, otherCores, waitForQuiet } from './lib/cpu';
import { databaseUrl, DATASET_DB, withClient } from './lib/db';
import { closedLoop, HttpClient, LoadRun, Request } from './lib/http-load';
import { machine } from './lib/machine';
import { writeResult } from './lib/paths';
import { ServerHandle } from './lib/server-handle';
import { slotPath, slotQueries } from './lib/slot-queries';
import { fmt, table } from './lib/stats';
import { ensureDataset, partnerKey } from './national-dataset';

const COUNTS = (process.env.BENCH_CORES_PROCESSES ?? '1,2').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CLIENTS = Number(process.env.BENCH_CORES_CLIENTS ?? 32);
const SLICE_MS = Number(process.env.BENCH_SLICE_SECONDS ?? 10) * 1000;

interface Slice {
  processes: number;
  round: number;
  run: LoadRun;
  appCores: number;
  postgresCores: number;
  machineBusyCores: number;
  otherCores: number;
}

async function main() {
  const meta = await ensureDataset();
  const box = await machine();
  console.log(`Using the cores on ${DATASET_DB} (${meta.counts.sites} sites); ${box.nproc} cores (${box.cpuModel}), Node ${box.node}, ${box.postgres.split(' on ')[0]}`);
  const jobcentres: string[] = await withClient(databaseUrl(DATASET_DB), (c) => c.query(`SELECT id FROM sites WHERE kind = 'jobcentre' ORDER BY id`).then((r) => r.rows.map((row) => row.id)));
  const searches = slotQueries(meta, jobcentres, { key: 'cores-one-site', sites: 1, days: 28 }, 50_000).map((q): Request => ({ method: 'GET', path: slotPath(q) }));
  const slices: Slice[] = [];
  let offset = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    for (const processes of COUNTS) {
      const server = await ServerHandle.start(databaseUrl(DATASET_DB), { BENCH_PROCESSES: String(processes) });
      try {
        const client = new HttpClient(server.url, partnerKey(meta.seed, 0));
        await closedLoop(client, { concurrency: 4, durationMs: 3000, maxRequests: 2000, next: (i) => searches[(offset + i) % searches.length] });
        const classify = benchClassifier(() => server.child.pid, [DATASET_DB]);
        const quiet = await waitForQuiet(classify);
        const monitor = new CpuMonitor(classify).start();
        const start = offset;
        const run = await closedLoop(client, { concurrency: CLIENTS, durationMs: SLICE_MS, maxRequests: searches.length, next: (i) => searches[(start + i) % searches.length] });
        offset += run.requests;
        const cpu = monitor.stop();
        const slice: Slice = {
          processes,
          round,
          run,
          appCores: cpu.groups['app server (Node)'] ?? 0,
          postgresCores: cpu.groups['postgres (bench database)'] ?? 0,
          machineBusyCores: cpu.machineBusyCores,
          otherCores: Math.max(otherCores(cpu), quiet.otherCores),
        };
        slices.push(slice);
        console.log(
          `  round ${round}, ${processes} process(es): ${fmt(run.throughput)} searches/s, p50 ${fmt(run.latency.p50)} p95 ${fmt(run.latency.p95)} ms, ` +
            `app ${fmt(slice.appCores, 2)} + PostgreSQL ${fmt(slice.postgresCores, 2)} cores, other ${fmt(slice.otherCores, 2)}, statuses ${JSON.stringify(run.statuses)}`,
        );
      } finally {
        await server.stop();
      }
    }
  }
  const rows = COUNTS.map((processes) => {
    const mine = slices.filter((s) => s.processes === processes);
    const requests = mine.reduce((t, s) => t + s.run.requests, 0);
    const seconds = mine.reduce((t, s) => t + s.run.wallMs / 1000, 0);
    const perSearch = (cores: (s: Slice) => number) => (mine.reduce((t, s) => t + cores(s) * (s.run.wallMs / 1000), 0) / requests) * 1000;
    return { processes, throughput: requests / seconds, slices: mine.map((s) => fmt(s.run.throughput)).join(', '), p95: mine.map((s) => fmt(s.run.latency.p95)).join(', '), app: perSearch((s) => s.appCores), postgres: perSearch((s) => s.postgresCores), busy: mine.map((s) => fmt(s.machineBusyCores, 2)).join(', '), other: mine.map((s) => fmt(s.otherCores, 2)).join(', ') };
  });
  const base = rows[0].throughput;
  console.log(
    '\n' +
      table(
        ['processes', 'searches/s (all slices)', 'per slice', `× ${rows[0].processes} process(es)`, 'p95 ms per slice', 'app CPU ms / search', 'PostgreSQL CPU ms / search', 'machine busy cores', 'other load cores'],
        rows.map((r) => [r.processes, fmt(r.throughput), r.slices, fmt(r.throughput / base, 2), r.p95, fmt(r.app, 2), fmt(r.postgres, 2), r.busy, r.other]),
      ),
  );
  const file = writeResult('cores', { machine: box, settings: { counts: COUNTS, rounds: ROUNDS, clients: CLIENTS, sliceMs: SLICE_MS }, slices, rows });
  console.log(`\nWritten ${file}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
