import cluster, { Worker } from 'node:cluster';

/** How long the HTTP workers get to finish their requests and close after SIGTERM before they are killed. */
const STOP_TIMEOUT_MS = 30_000;
/** A worker that lived this long was not crashing on start: the next restart is immediate again. */
const HEALTHY_AFTER_MS = 10_000;
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * The primary of WEB_CONCURRENCY > 1: forks that many HTTP workers (this same program, in
 * which cluster.isWorker is true), which share the listening port (the primary deals the
 * connections out round-robin). It serves nothing itself and holds no application state,
 * so there is nothing to share between the workers beyond what PostgreSQL and Redis hold.
 *
 * A worker that exits while the cluster is not stopping is replaced; one that keeps dying
 * within seconds of its start (PostgreSQL unreachable, say) is replaced after a pause that
 * doubles each time, up to 30 s, rather than in a tight loop. SIGTERM or SIGINT stops the
 * workers gracefully (each closes as the single server does on SIGTERM: HTTP, queues, pool)
 * and the primary exits once they have; a second signal kills them at once.
 */
export function runWebCluster(workers: number, log: (line: string) => void = (line) => console.log(line)): void {
  let stopping = false;
  let quickCrashes = 0;
  const startedAt = new Map<Worker, number>();

  const fork = () => startedAt.set(cluster.fork(), Date.now());

  cluster.on('listening', (worker, address) => log(`HTTP worker ${worker.process.pid} listening on port ${address.port}`));
  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      if (startedAt.size === 0) {
        log('All HTTP workers stopped');
        process.exit(0);
      }
      return;
    }
    quickCrashes = lived < HEALTHY_AFTER_MS ? quickCrashes + 1 : 0;
    const delay = quickCrashes <= 1 ? 0 : Math.min(1000 * 2 ** (quickCrashes - 2), MAX_RESTART_DELAY_MS);
    log(`HTTP worker ${worker.process.pid} exited (${signal ?? `code ${code}`}) after ${Math.round(lived / 1000)} s; starting another${delay ? ` in ${delay / 1000} s` : ''}`);
    setTimeout(() => stopping || fork(), delay);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) {
        log(`${signal} again: killing the HTTP workers`);
        for (const worker of startedAt.keys()) worker.process.kill('SIGKILL');
        process.exit(1);
      }
      stopping = true;
      log(`${signal}: stopping ${startedAt.size} HTTP worker(s) gracefully`);
      if (startedAt.size === 0) process.exit(0);
      for (const worker of startedAt.keys()) worker.process.kill('SIGTERM');
      setTimeout(() => {
        log(`HTTP workers still running after ${STOP_TIMEOUT_MS / 1000} s: killing them`);
        for (const worker of startedAt.keys()) worker.process.kill('SIGKILL');
        process.exit(1);
      }, STOP_TIMEOUT_MS).unref();
    });
  }

  log(`Starting ${workers} HTTP workers (WEB_CONCURRENCY=${workers})`);
  for (let i = 0; i < workers; i++) fork();
}
