/**
 * BENCH_PROCESSES=N (N > 1): the benchmark server as N HTTP processes on one port, as
 * `WEB_CONCURRENCY=N npm start` runs the service. bench/server.ts becomes the cluster's
 * primary here and each worker is bench/server.ts as usual (cluster.isWorker), whose
 * `process.send` reaches this primary instead of the benchmark. The primary answers the
 * benchmark's calls (lib/server-handle.ts) for the whole: CPU and statistics summed over the
 * workers, switches (reset, instrument, trace) sent to every worker, and what concerns one
 * process only (a profile, in-process searches, a link) asked of the first.
 */
import cluster, { Worker } from 'node:cluster';
import type { RouteStats } from '../server';
import { benchAppConfig, dropRunQueues } from './app-config';

type Message = { id?: number; ready?: boolean; port?: number; pool?: number; result?: unknown; error?: string };
type Stats = {
  routes: Record<string, RouteStats>;
  statements: { sql: string; calls: number; ms: number }[];
  eventLoopUtilization: number;
  cpuSinceReset: { user: number; system: number };
  eventLoopDelayMs: { p50: number; p99: number; max: number };
};

const EVERY_WORKER = new Set(['reset', 'instrument', 'trace-next', 'trace-get', 'close', 'cpu', 'stats']);

function mergeRoutes(all: Record<string, RouteStats>[]): Record<string, RouteStats> {
  const merged: Record<string, RouteStats> = {};
  for (const routes of all) {
    for (const [route, s] of Object.entries(routes)) {
      const m = (merged[route] ??= { requests: 0, totalMs: [], dbMs: [], dbWallMs: [], poolWaitMs: [], queries: [], statuses: {} });
      m.requests += s.requests;
      for (const key of ['totalMs', 'dbMs', 'dbWallMs', 'poolWaitMs', 'queries'] as const) m[key].push(...s[key]);
      for (const [status, n] of Object.entries(s.statuses)) m.statuses[Number(status)] = (m.statuses[Number(status)] ?? 0) + n;
    }
  }
  return merged;
}

const sumCpu = (cpu: { user: number; system: number }[]) => ({ user: cpu.reduce((t, c) => t + c.user, 0), system: cpu.reduce((t, c) => t + c.system, 0) });

/** The workers' answers to one call, made into the one answer a single server would give. */
function combine(cmd: string, results: unknown[]): unknown {
  switch (cmd) {
    case 'cpu':
      return sumCpu(results as { user: number; system: number }[]);
    case 'stats': {
      const stats = results as Stats[];
      const statements = new Map<string, { calls: number; ms: number }>();
      for (const st of stats.flatMap((s) => s.statements)) {
        const m = statements.get(st.sql) ?? { calls: 0, ms: 0 };
        statements.set(st.sql, { calls: m.calls + st.calls, ms: m.ms + st.ms });
      }
      return {
        routes: mergeRoutes(stats.map((s) => s.routes)),
        statements: [...statements].map(([sql, v]) => ({ sql, ...v })).sort((a, b) => b.ms - a.ms),
        // The mean over the workers; delays are the worst worker's.
        eventLoopUtilization: stats.reduce((t, s) => t + s.eventLoopUtilization, 0) / stats.length,
        cpuSinceReset: sumCpu(stats.map((s) => s.cpuSinceReset)),
        eventLoopDelayMs: { p50: Math.max(...stats.map((s) => s.eventLoopDelayMs.p50)), p99: Math.max(...stats.map((s) => s.eventLoopDelayMs.p99)), max: Math.max(...stats.map((s) => s.eventLoopDelayMs.max)) },
      } satisfies Stats;
    }
    case 'trace-get':
      return results.find((r) => r !== null) ?? null;
    default:
      return results[0];
  }
}

export function runServerCluster(processes: number): void {
  const workers: Worker[] = [];
  let seq = 0;
  const waiting = new Map<number, (msg: Message) => void>();
  const ask = (worker: Worker, msg: Record<string, unknown>) =>
    new Promise<unknown>((resolve, reject) => {
      const id = ++seq;
      waiting.set(id, (answer) => (answer.error ? reject(new Error(answer.error)) : resolve(answer.result)));
      worker.send({ ...msg, id });
    });
  const ready: Promise<Message>[] = [];
  for (let i = 0; i < processes; i++) {
    const worker = cluster.fork();
    workers.push(worker);
    ready.push(
      new Promise((resolve, reject) => {
        worker.on('message', (msg: Message) => {
          if (msg.ready) resolve(msg);
          else if (msg.id !== undefined) {
            waiting.get(msg.id)?.(msg);
            waiting.delete(msg.id);
          }
        });
        worker.once('exit', (code) => reject(new Error(`bench server worker exited with ${code}`)));
      }),
    );
  }
  let closing = false;
  cluster.on('exit', (worker, code) => {
    if (!closing) {
      console.error(`bench server worker ${worker.process.pid} exited with ${code}`);
      process.exit(1);
    }
  });
  Promise.all(ready).then(
    (all) => {
      if (new Set(all.map((m) => m.port)).size !== 1) throw new Error(`the workers listen on different ports: ${all.map((m) => m.port).join(', ')}`);
      process.on('message', async (msg: { id: number; cmd: string } & Record<string, unknown>) => {
        if (msg.cmd === 'close') closing = true;
        try {
          const targets = EVERY_WORKER.has(msg.cmd) ? workers : workers.slice(0, 1);
          const results = await Promise.all(targets.map((w) => ask(w, { ...msg })));
          process.send!({ id: msg.id, result: combine(msg.cmd, results) });
          if (msg.cmd === 'close') {
            await dropRunQueues(benchAppConfig());
            setImmediate(() => process.exit(0));
          }
        } catch (error) {
          process.send!({ id: msg.id, error: (error as Error).stack ?? String(error) });
        }
      });
      process.on('disconnect', () => process.exit(0));
      // The pool the benchmark reports is every connection the service may open.
      process.send!({ ready: true, port: all[0].port, pool: all.reduce((t, m) => t + m.pool!, 0), processes });
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
