/**
 * The real application for the benchmarks, run in a child process of its own so that the
 * load generator does not share its event loop: createApp(loadConfig(...)) with the logger
 * off, listening on 127.0.0.1 at a free port. The parent talks to it over IPC (see
 * lib/server-handle.ts). BENCH_PROCESSES=N runs N of them sharing the port, as
 * WEB_CONCURRENCY=N runs the service (lib/server-cluster.ts).
 *
 * Measuring without touching src/: every pg query is timed (Client.prototype.query) and
 * waits for a pool connection are timed (Pool.prototype.connect), and both are charged to
 * the HTTP request they run for through AsyncLocalStorage, entered by a wrapper around
 * the HTTP server's request listener, i.e. before Express and Nest see the request.
 */
import './lib/paths';
import { AsyncLocalStorage } from 'node:async_hooks';
import cluster from 'node:cluster';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import pg from 'pg';
import parsePhoneNumber from 'libphonenumber-js/max';
import { createApp } from '../src/app.factory';
import { requestHash } from '../src/bookings/domain/request-hash';
import { CreateBookingDto } from '../src/bookings/dto/bookings.dto';
import { APP_CONFIG, AppConfig } from '../src/common/config/config';
import { Queues } from '../src/common/queue/queues';
import { validationPipe } from '../src/common/http/validation';
import { addDays, formatInstant, MINUTE, startOfLocalDay } from '../src/common/time/local-time';
import { generateSlots } from '../src/slots/domain/slots';
import { DiaryLoader } from '../src/slots/diary.loader';
import { SlotSearchQuery } from '../src/slots/dto/slots.dto';
import { SlotsService } from '../src/slots/slots.service';
import { LinksService } from '../src/links/links.service';
import { DataSource } from 'typeorm';
import { RESULTS_DIR } from './lib/paths';
import { summariseProfile } from './lib/profile';
import { APP_QUEUES, benchAppConfig, dropRunQueues } from './lib/app-config';
import { runServerCluster } from './lib/server-cluster';

interface Ctx {
  /** Statements of a traced request: text (shortened) and milliseconds. */
  trace?: { sql: string; ms: number; text: string; values: unknown }[];
  queries: number;
  dbMs: number;
  poolWaitMs: number;
  /** Start and end of each query, to get the wall time of queries run side by side. */
  intervals: [number, number][];
}

const als = new AsyncLocalStorage<Ctx>();
/** Per statement (its first 110 characters): calls and milliseconds, over instrumented requests. */
let statements = new Map<string, { calls: number; ms: number }>();
const statementKey = (arg: unknown) => (typeof arg === 'string' ? arg : String((arg as { text?: string })?.text ?? '')).replace(/\s+/g, ' ').trim().slice(0, 110);
const newCtx = (): Ctx => ({ queries: 0, dbMs: 0, poolWaitMs: 0, intervals: [] });

type AnyFn = (...args: unknown[]) => unknown;
const clientProto = pg.Client.prototype as unknown as { query: AnyFn };
const originalQuery = clientProto.query;
clientProto.query = function (this: unknown, ...args: unknown[]) {
  const ctx = als.getStore();
  if (!ctx) return originalQuery.apply(this, args);
  const t0 = performance.now();
  ctx.queries++;
  const done = () => {
    const t1 = performance.now();
    ctx.dbMs += t1 - t0;
    ctx.intervals.push([t0, t1]);
    const key = statementKey(args[0]);
    const st = statements.get(key) ?? { calls: 0, ms: 0 };
    st.calls++;
    st.ms += t1 - t0;
    statements.set(key, st);
    if (ctx.trace) {
      const text = typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: string })?.text ?? '');
      // A prepared statement comes as a config object ({ name, text, values }).
      ctx.trace.push({ sql: key, ms: Math.round((t1 - t0) * 100) / 100, text, values: args[1] ?? (args[0] as { values?: unknown })?.values });
    }
  };
  const result = originalQuery.apply(this, args) as Promise<unknown> | undefined;
  if (result && typeof (result as Promise<unknown>).then === 'function') {
    return result.then(
      (value) => (done(), value),
      (error) => {
        done();
        throw error;
      },
    );
  }
  return result;
};
const poolProto = pg.Pool.prototype as unknown as { connect: AnyFn };
const originalConnect = poolProto.connect;
poolProto.connect = function (this: unknown, ...args: unknown[]) {
  const ctx = als.getStore();
  const callback = args[0];
  if (!ctx || typeof callback !== 'function') return originalConnect.apply(this, args);
  const t0 = performance.now();
  return originalConnect.call(this, (...cbArgs: unknown[]) => {
    ctx.poolWaitMs += performance.now() - t0;
    return (callback as AnyFn)(...cbArgs);
  });
};

/** Length of the union of intervals: how long at least one query was running. */
function unionMs(intervals: [number, number][]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [start, end] = sorted[0] ?? [0, 0];
  for (const [s, e] of sorted.slice(1)) {
    if (s > end) {
      total += end - start;
      [start, end] = [s, e];
    } else end = Math.max(end, e);
  }
  return total + (end - start);
}

export interface RouteStats {
  requests: number;
  totalMs: number[];
  dbMs: number[];
  dbWallMs: number[];
  poolWaitMs: number[];
  queries: number[];
  statuses: Record<number, number>;
}
let stats = new Map<string, RouteStats>();
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
let eluStart = performance.eventLoopUtilization();
let cpuStart = process.cpuUsage();

function record(route: string, status: number, totalMs: number, ctx: Ctx) {
  let s = stats.get(route);
  if (!s) stats.set(route, (s = { requests: 0, totalMs: [], dbMs: [], dbWallMs: [], poolWaitMs: [], queries: [], statuses: {} }));
  s.requests++;
  s.totalMs.push(totalMs);
  s.dbMs.push(ctx.dbMs);
  s.dbWallMs.push(unionMs(ctx.intervals));
  s.poolWaitMs.push(ctx.poolWaitMs);
  s.queries.push(ctx.queries);
  s.statuses[status] = (s.statuses[status] ?? 0) + 1;
}

async function main() {
  const config = benchAppConfig();
  const app = await createApp(config, { logger: false });
  const server = app.getHttpServer();
  const [listener] = server.listeners('request') as ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void)[];
  server.removeAllListeners('request');
  // Instrumentation is switched on only for the phases that need it: AsyncLocalStorage
  // turns on async hooks, which cost something on every promise.
  let instrumented = false;
  /** The method of the next request to trace (statement texts and parameters), or null. */
  let traceNext: string | null = null;
  let lastTrace: unknown = null;
  server.on('request', (req, res) => {
    if (!instrumented) return listener(req, res);
    const ctx = newCtx();
    if (traceNext && req.method === traceNext) {
      traceNext = null;
      ctx.trace = [];
    }
    const t0 = performance.now();
    res.on('finish', () => {
      const total = performance.now() - t0;
      record(`${req.method} ${(req.url ?? '').split('?')[0]}`, res.statusCode, total, ctx);
      if (ctx.trace) lastTrace = { status: res.statusCode, totalMs: total, dbMs: ctx.dbMs, poolWaitMs: ctx.poolWaitMs, statements: ctx.trace };
    });
    als.run(ctx, () => listener(req, res));
  });
  await app.listen(0, '127.0.0.1');
  const port = (server.address() as AddressInfo).port;

  const slots = app.get(SlotsService);
  const loader = app.get(DiaryLoader);
  const appConfig = app.get<AppConfig>(APP_CONFIG);
  let session: Session | null = null;

  const handlers: Record<string, (msg: Record<string, unknown>) => Promise<unknown> | unknown> = {
    reset: () => {
      stats = new Map();
      statements = new Map();
      eluStart = performance.eventLoopUtilization();
      cpuStart = process.cpuUsage();
      loopDelay.reset();
      loopDelay.enable();
      return true;
    },
    stats: () => ({
      routes: Object.fromEntries(stats),
      statements: [...statements].map(([sql, v]) => ({ sql, ...v })).sort((a, b) => b.ms - a.ms),
      /** Share of the time the event loop was busy since the reset (1 = never idle). */
      eventLoopUtilization: performance.eventLoopUtilization(eluStart).utilization,
      cpuSinceReset: process.cpuUsage(cpuStart),
      eventLoopDelayMs: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    }),
    cpu: () => process.cpuUsage(),
    instrument: (msg) => {
      instrumented = Boolean(msg.on);
      if (!instrumented) als.disable();
      return instrumented;
    },
    'trace-next': (msg) => {
      traceNext = typeof msg.method === 'string' ? msg.method : 'POST';
      lastTrace = null;
      return true;
    },
    'trace-get': () => lastTrace,
    'profile-start': async () => {
      session = new Session();
      session.connect();
      const post = (method: string, params?: object) => new Promise((resolve, reject) => session!.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 250 });
      await post('Profiler.start');
      return true;
    },
    'profile-stop': async (msg) => {
      const profile = await new Promise<{ profile: object }>((resolve, reject) => session!.post('Profiler.stop', (err, res) => (err ? reject(err) : resolve(res as { profile: object }))));
      session!.disconnect();
      session = null;
      mkdirSync(RESULTS_DIR, { recursive: true });
      const file = join(RESULTS_DIR, `${msg.name as string}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile.profile));
      return { file, summary: summariseProfile(profile.profile as never) };
    },
    /** Times SlotsService.search, then the same search step by step. */
    'search-inprocess': async (msg) => {
      const queries = msg.queries as SlotSearchQuery[];
      const rows: Record<string, number>[] = [];
      for (const query of queries) {
        const now = Date.now();
        const t0 = performance.now();
        const views = await slots.search(query, now);
        const total = performance.now() - t0;
        // The same steps as SlotsService.search, timed one by one.
        const zone = appConfig.DEFAULT_TIMEZONE;
        const range = { start: Math.max(startOfLocalDay(zone, query.from!), now), end: startOfLocalDay(zone, addDays(query.to!, 1)) };
        const ctx = newCtx();
        const t1 = performance.now();
        const diary = await als.run(ctx, () => loader.load({ typeCode: query.appointmentType, siteIds: query.siteId, adviserIds: query.adviserId, range, now }));
        const t2 = performance.now();
        const generated = generateSlots({ ...diary, range, earliestStart: (siteId) => now + diary.sites.get(siteId)!.minNoticeMinutes * MINUTE });
        const t3 = performance.now();
        const formatted = generated.map((slot) => {
          const tz = diary.sites.get(slot.siteId)!.timezone;
          return { siteId: slot.siteId, adviserId: slot.adviserId, roomId: slot.roomId, start: formatInstant(slot.start, tz), end: formatInstant(slot.end, tz), capacity: slot.capacity, remaining: slot.remaining };
        });
        const t4 = performance.now();
        const json = JSON.stringify({ slots: formatted });
        const t5 = performance.now();
        const sqlWall = unionMs(ctx.intervals);
        rows.push({
          total,
          slots: views.length,
          load: t2 - t1,
          sql: sqlWall,
          queries: ctx.queries,
          loadDomain: t2 - t1 - sqlWall,
          generate: t3 - t2,
          format: t4 - t3,
          json: t5 - t4,
          bytes: json.length,
          windows: diary.windows.length,
          sessions: diary.sessions.length,
        });
      }
      if (!instrumented) als.disable();
      return rows;
    },
    /** Costs of the CPU-side steps of a booking request, each on its own. */
    micro: async (msg) => {
      const body = msg.body as Record<string, unknown>;
      const time = async (n: number, fn: () => unknown) => {
        for (let i = 0; i < Math.min(200, n); i++) await fn();
        const t0 = performance.now();
        for (let i = 0; i < n; i++) await fn();
        return ((performance.now() - t0) / n) * 1000; // microseconds
      };
      const query = msg.slotQuery as Record<string, unknown>;
      return {
        'ValidationPipe: booking body (class-transformer + class-validator)': await time(3000, () => validationPipe.transform(structuredClone(body), { type: 'body', metatype: CreateBookingDto })),
        'ValidationPipe: slot query with 50 siteIds': await time(2000, () => validationPipe.transform(structuredClone(query), { type: 'query', metatype: SlotSearchQuery })),
        'libphonenumber-js/max: parse + isValid + getType of a UK mobile': await time(3000, () => {
          const parsed = parsePhoneNumber('07911 123456', 'GB');
          return parsed?.isValid() && parsed.getType();
        }),
        'requestHash (canonical JSON + SHA-256)': await time(5000, () => requestHash(body)),
        'formatInstant (luxon), one call': await time(20000, () => formatInstant(1_796_000_000_000 + Math.floor(Math.random() * 1e6) * 60000, 'Europe/London')),
      };
    },
    /** A customer's link to a booking, as a reminder would carry it: only its hash is stored, so it is issued here. */
    'issue-link': (msg) => app.get(LinksService).issue(app.get(DataSource).manager, msg.bookingId as string, Date.now()),
    /** Queue jobs waiting, running or due, every process's (the queues are shared): the app's background work still to do. */
    'jobs-due': async () => {
      let due = 0;
      for (const name of APP_QUEUES) {
        const queue = app.get(Queues).queue(name);
        due += Object.values(await queue.getJobCounts('waiting', 'active', 'prioritized')).reduce((sum, n) => sum + n, 0);
        due += await queue.getDelayedCount(Date.now() + 1);
      }
      return due;
    },
    close: async () => {
      await app.close();
      // In a cluster the primary does it once every worker has closed.
      if (!cluster.isWorker) await dropRunQueues(appConfig);
      setImmediate(() => process.exit(0));
      return true;
    },
  };

  process.on('message', async (msg: { id: number; cmd: string } & Record<string, unknown>) => {
    try {
      const result = await handlers[msg.cmd](msg);
      process.send!({ id: msg.id, result });
    } catch (error) {
      process.send!({ id: msg.id, error: (error as Error).stack ?? String(error) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  loopDelay.enable();
  process.send!({ ready: true, port, pool: config.DB_POOL_SIZE });
}

// BENCH_PROCESSES=N: N of these servers on one port, behind a cluster primary (lib/server-cluster.ts).
if (Number(process.env.BENCH_PROCESSES ?? 1) > 1 && cluster.isPrimary) runServerCluster(Number(process.env.BENCH_PROCESSES));
else
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
