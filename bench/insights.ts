/**
 * DNA insights over a national year of attendance history:  npm run bench:insights
 *
 * On a fresh copy of the national dataset (careers_booking_bench_insights, cloned from
 * careers_booking_bench, whose attendance_records hold a synthetic year of ~2 million past
 * appointments), against the real application in a child process: GET /v1/insights/dna
 * over the whole history year, grouped by site; weekday; site and weekday; lead-time bucket
 * and referral source; week; adviser. Each grouping is asked
 *   - with the admin key over every site,
 *   - with the admin key for one site (siteId: the site with the most history),
 *   - with an organisation's key (a careers provider's: it sees the appointments its advisers
 *     held and its own referrals, so the query joins advisers), over every site,
 * a warm-up and then BENCH_INSIGHTS_REPS times (default 5), one request at a time.
 * Beside every request, in the same run: the raw-SQL floor, `SELECT count(*) FROM
 * attendance_records WHERE starts_at in the same range` on a connection of our own; and
 * before and after all of it, pgbench's built-in select-only script (1 client, 5 s) as a
 * yardstick of how fast the machine was. The server is instrumented, so each request's time
 * in SQL is known; the statement of one request per scenario is replayed under EXPLAIN
 * (ANALYZE, BUFFERS) and summarised, fully for those that miss the 1 s goal. The service's
 * total is checked against the floor's count of the same rows.
 *
 * Prints Markdown tables and writes bench/results/insights-<time>.json. Never asserts.
 */
import './lib/paths';
import { performance } from 'node:perf_hooks';
import { localDay } from '../src/common/time/local-time';
import { benchClassifier, CpuMonitor, otherCores, waitForQuiet } from './lib/cpu';
import { DATASET_DB, dropDatabase, recreateDatabase, withClient } from './lib/db';
import { HttpClient } from './lib/http-load';
import { machine } from './lib/machine';
import { pgbenchSelect, preparePgbenchSelect } from './lib/pgbench-select';
import { writeResult } from './lib/paths';
import { ADMIN_KEY, ServerHandle } from './lib/server-handle';
import { fmt, summarise, Summary, table } from './lib/stats';
import { ensureDataset, ZONE } from './national-dataset';
import type { RouteStats } from './server';

const DB = 'careers_booking_bench_insights';
const PGBENCH_DB = 'careers_booking_bench_select';
const REPS = Number(process.env.BENCH_INSIGHTS_REPS ?? 5);
const GOAL_MS = 1000;
const GROUPINGS = [['site'], ['weekday'], ['site', 'weekday'], ['leadTimeBucket', 'referralSource'], ['week'], ['adviser']];

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Total Time': number;
  'Actual Rows': number;
  'Actual Loops': number;
  'Workers Launched'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  'Temp Written Blocks'?: number;
  'Peak Memory Usage'?: number;
  'HashAgg Batches'?: number;
  'Disk Usage'?: number;
  Plans?: PlanNode[];
}

interface Explained {
  planningMs: number;
  executionMs: number;
  lines: string[];
  text: string;
}

function summarisePlan(node: PlanNode, depth = 0, out: string[] = []): string[] {
  const what = [node['Node Type'], node['Relation Name'] && `on ${node['Relation Name']}`, node['Index Name'] && `using ${node['Index Name']}`].filter(Boolean).join(' ');
  const extra = [
    node['Workers Launched'] !== undefined && `${node['Workers Launched']} workers`,
    node['HashAgg Batches'] && node['HashAgg Batches'] > 1 && `${node['HashAgg Batches']} batches, ${node['Disk Usage']} kB on disk`,
    node['Temp Written Blocks'] && `${node['Temp Written Blocks']} temp blocks written`,
    node['Shared Read Blocks'] && `${node['Shared Read Blocks']} blocks read`,
  ].filter(Boolean);
  out.push(`${'  '.repeat(depth)}${what}: ${fmt(node['Actual Total Time'], 1)} ms, ${node['Actual Rows'] * node['Actual Loops']} rows${extra.length ? ` (${extra.join(', ')})` : ''}`);
  for (const child of node.Plans ?? []) summarisePlan(child, depth + 1, out);
  return out;
}

async function explain(url: string, sql: string, values: unknown[]): Promise<Explained> {
  return withClient(url, async (c) => {
    const json = await c.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, values);
    const plan = (json.rows[0]['QUERY PLAN'] as { Plan: PlanNode; 'Planning Time': number; 'Execution Time': number }[])[0];
    const text = await c.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, values);
    return { planningMs: plan['Planning Time'], executionMs: plan['Execution Time'], lines: summarisePlan(plan.Plan), text: text.rows.map((r) => r['QUERY PLAN']).join('\n') };
  });
}

interface Scenario {
  name: string;
  principal: 'admin' | 'admin, one site' | 'organisation';
  groupBy: string[];
  path: string;
  key: string;
  siteId: string | null;
  organisationId: string | null;
}

interface ScenarioResult {
  name: string;
  principal: string;
  groupBy: string[];
  http: Summary;
  serverSql: Summary;
  serverTotal: Summary;
  rawCount: Summary;
  /** The answer's total (bookings and cancellations) against count(*) of the same rows, when the count is of the same rows (admin, every site). */
  totalMatches: boolean | null;
  groups: number;
  kilobytes: number;
  statuses: Record<string, number>;
  otherCores: number;
  quiet: { waitedMs: number; otherCores: number };
  statement: { sql: string; values: unknown[] } | null;
  explained: Explained | null;
}

async function main() {
  const started = Date.now();
  const log = (s: string) => console.log(s);
  const meta = await ensureDataset(log);
  if (!meta.history?.rows || !meta.history.from || !meta.history.to) throw new Error('The dataset has no attendance history (BENCH_HISTORY_ROWS=0?)');
  const { from, to } = meta.history;
  const box = await machine();
  log(`Insights benchmark: ${box.nproc} cores (${box.cpuModel}), Node ${box.node}, ${box.postgres.split(' on ')[0]}; ${meta.history.rows} history rows ${from} to ${to}`);
  let t = Date.now();
  const url = await recreateDatabase(DB, DATASET_DB);
  log(`  ${DB} cloned from ${DATASET_DB} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  t = Date.now();
  await preparePgbenchSelect(PGBENCH_DB);
  log(`  ${PGBENCH_DB} initialised for pgbench -S (scale 10) in ${((Date.now() - t) / 1000).toFixed(1)} s`);

  const server = await ServerHandle.start(url);
  const classify = benchClassifier(() => server.child.pid, [DB, PGBENCH_DB]);
  const adminClient = new HttpClient(server.url, ADMIN_KEY, 2);
  let orgClient: HttpClient | null = null;
  const result: Record<string, unknown> = { machine: box, dataset: { seed: meta.seed, startDate: meta.startDate, history: meta.history }, reps: REPS };
  try {
    // The busiest site, and the careers provider whose advisers held the most appointments.
    const { site, provider, rows, inRange } = await withClient(url, async (c) => {
      const s = await c.query(`SELECT site_id::text AS id, count(*)::int AS n FROM attendance_records GROUP BY site_id ORDER BY n DESC, site_id LIMIT 1`);
      const p = await c.query(`SELECT a.organisation_id::text AS id, count(*)::int AS n FROM attendance_records r JOIN advisers a ON a.id = r.adviser_id
                                GROUP BY a.organisation_id ORDER BY n DESC, a.organisation_id LIMIT 1`);
      const all = await c.query(`SELECT count(*)::int AS n FROM attendance_records`);
      const range = await c.query(`SELECT count(*)::int AS n FROM attendance_records WHERE starts_at >= $1::date AND starts_at < $2::date + 1`, [from, to]);
      return { site: s.rows[0] as { id: string; n: number }, provider: p.rows[0] as { id: string; n: number }, rows: all.rows[0].n as number, inRange: range.rows[0].n as number };
    });
    const made = await adminClient.json<{ key: string }>({ method: 'POST', path: `/v1/organisations/${provider.id}/api-keys`, body: { scopes: ['slots:read', 'bookings:write'] } });
    if (made.status !== 201) throw new Error(`creating the provider's key: ${made.status} ${JSON.stringify(made.body)}`);
    orgClient = new HttpClient(server.url, made.body.key, 2);
    log(`  attendance_records: ${rows} rows, ${inRange} in range; busiest site ${site.id} (${site.n} rows); provider ${provider.id} (its advisers: ${provider.n} rows)`);
    result.subjects = { site, provider, rows, inRange };

    const scenarios: Scenario[] = [];
    for (const groupBy of GROUPINGS) {
      const base = `/v1/insights/dna?from=${from}&to=${to}&groupBy=${groupBy.join(',')}`;
      scenarios.push({ name: `${groupBy.join(' + ')}, admin, all sites`, principal: 'admin', groupBy, path: base, key: 'admin', siteId: null, organisationId: null });
      scenarios.push({ name: `${groupBy.join(' + ')}, admin, siteId = 1 site`, principal: 'admin, one site', groupBy, path: `${base}&siteId=${site.id}`, key: 'admin', siteId: site.id, organisationId: null });
      scenarios.push({ name: `${groupBy.join(' + ')}, organisation key, all sites`, principal: 'organisation', groupBy, path: base, key: 'organisation', siteId: null, organisationId: provider.id });
    }

    const before = await pgbenchSelect(PGBENCH_DB);
    log(`  pgbench -S (1 client, 5 s) before: ${fmt(before, 0)} tps`);
    await server.call('instrument', { on: true });
    const results: ScenarioResult[] = [];
    await withClient(url, async (raw) => {
      // The same instants as the service's range: from's first moment to to's last, in the default zone.
      const range = [new Date(localDay(ZONE, from).start), new Date(localDay(ZONE, to).end)];
      let rawRows = 0;
      const rawCount = async () => {
        const t0 = performance.now();
        rawRows = Number((await raw.query(`SELECT count(*) FROM attendance_records WHERE starts_at >= $1 AND starts_at < $2`, range)).rows[0].count);
        return performance.now() - t0;
      };
      await rawCount();
      for (const sc of scenarios) {
        const client = sc.key === 'admin' ? adminClient : orgClient!;
        const quiet = await waitForQuiet(classify);
        client.resetConnections();
        // Warm-up, traced: the statements of one request, for EXPLAIN.
        await server.call('trace-next', { method: 'GET' });
        const warm = await client.send({ method: 'GET', path: sc.path });
        const trace = await server.call<{ statements: { sql: string; text: string; values: unknown[] }[] } | null>('trace-get');
        await server.call('reset');
        const monitor = new CpuMonitor(classify).start();
        const http: number[] = [];
        const counts: number[] = [];
        const statuses: Record<string, number> = { [warm.status]: 0 };
        let body = warm.body;
        for (let i = 0; i < REPS; i++) {
          const res = await client.send({ method: 'GET', path: sc.path });
          http.push(res.ms);
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          body = res.body;
          counts.push(await rawCount());
        }
        const cpu = monitor.stop();
        const stats = (await server.call<{ routes: Record<string, RouteStats> }>('stats')).routes['GET /v1/insights/dna'];
        const main = trace?.statements.find((s) => /FROM attendance_records r\b/.test(s.text)) ?? null;
        let groups = 0;
        let totalMatches: boolean | null = null;
        try {
          const answer = JSON.parse(body) as { groups: unknown[]; total: { bookings: number; cancelledInAdvance: number } };
          groups = answer.groups.length;
          if (sc.principal === 'admin') totalMatches = answer.total.bookings + answer.total.cancelledInAdvance === rawRows;
        } catch {
          /* not JSON: the status says why */
        }
        const r: ScenarioResult = {
          name: sc.name,
          principal: sc.principal,
          groupBy: sc.groupBy,
          http: summarise(http),
          serverSql: summarise(stats?.dbMs ?? []),
          serverTotal: summarise(stats?.totalMs ?? []),
          rawCount: summarise(counts),
          totalMatches,
          groups,
          kilobytes: body.length / 1024,
          statuses,
          otherCores: otherCores(cpu),
          quiet,
          statement: main ? { sql: main.text, values: main.values } : null,
          explained: null,
        };
        results.push(r);
        log(`  ${sc.name.padEnd(58)} p50 ${fmt(r.http.p50, 0).padStart(5)} ms, p95 ${fmt(r.http.p95, 0).padStart(5)} ms (SQL p50 ${fmt(r.serverSql.p50, 0)} ms); count(*) p50 ${fmt(r.rawCount.p50, 0)} ms${r.totalMatches === false ? ' (total differs from count(*)!)' : ''}; ${groups} groups, ${fmt(r.kilobytes, 0)} KB; other load ${fmt(r.otherCores, 2)}`);
      }
    });
    await server.call('instrument', { on: false });
    const after = await pgbenchSelect(PGBENCH_DB);
    log(`  pgbench -S (1 client, 5 s) after: ${fmt(after, 0)} tps`);

    // The service's statement of each scenario, replayed under EXPLAIN ANALYZE on a connection of our own.
    for (const r of results) if (r.statement) r.explained = await explain(url, r.statement.sql, r.statement.values);
    result.scenarios = results;
    result.pgbenchSelect = { before, after };

    console.log(`\n### GET /v1/insights/dna over ${inRange.toLocaleString('en-GB')} appointments (${from} to ${to}), ${REPS} requests each after a warm-up, one at a time\n`);
    console.log(
      table(
        ['grouping', 'key', 'groups', 'KB', 'p50 ms', 'p95 ms', 'goal p95 < 1 s', 'SQL p50 ms', 'EXPLAIN ANALYZE ms', 'count(*) in range p50 ms', 'p50 ÷ count(*)', 'other load'],
        results.map((r) => [
          r.groupBy.join(' + '),
          r.principal,
          r.groups,
          fmt(r.kilobytes, 0),
          fmt(r.http.p50, 0),
          fmt(r.http.p95, 0),
          r.http.p95 < GOAL_MS ? 'met' : `missed (×${fmt(r.http.p95 / GOAL_MS, 1)})`,
          fmt(r.serverSql.p50, 0),
          fmt(r.explained?.executionMs ?? NaN, 0),
          fmt(r.rawCount.p50, 0),
          `${fmt(r.http.p50 / r.rawCount.p50, 1)}${r.totalMatches === false ? ' (total differs!)' : ''}`,
          fmt(r.otherCores, 2),
        ]),
      ),
    );
    console.log(`\npgbench -S, 1 client: ${fmt(before, 0)} tps before, ${fmt(after, 0)} tps after. Non-200 answers: ${JSON.stringify(results.filter((r) => Object.keys(r.statuses).some((s) => s !== '200')).map((r) => [r.name, r.statuses]))}`);
    for (const r of results) {
      if (!r.explained) continue;
      const missed = r.http.p95 >= GOAL_MS;
      console.log(`\n#### ${r.name}${missed ? ' (missed)' : ''}: planning ${fmt(r.explained.planningMs, 1)} ms, execution ${fmt(r.explained.executionMs, 0)} ms\n`);
      console.log('```');
      console.log((missed ? r.explained.lines : r.explained.lines.slice(0, 3)).join('\n'));
      console.log('```');
    }
  } finally {
    adminClient.close();
    orgClient?.close();
    await server.stop();
    if (!process.env.BENCH_KEEP_DATABASES) {
      await dropDatabase(DB);
      await dropDatabase(PGBENCH_DB);
    }
  }
  result.seconds = (Date.now() - started) / 1000;
  const file = writeResult('insights', result);
  console.log(`\nResults: ${file}  (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
