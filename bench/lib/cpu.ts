import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { sleep } from './stats';

/**
 * Who used the CPU during a phase. The benchmark machine may be shared (other people's test
 * runs), so each phase reports how much CPU went to the benchmark's own processes and how
 * much to everything else. /proc is polled every 250 ms; each process's cumulative
 * utime+stime is taken as first seen and last seen, so processes that come and go inside
 * the window are only partly counted (this undercounts "other", never ours).
 */
export interface CpuBreakdown {
  wallSeconds: number;
  /** Cores' worth of CPU busy on the whole machine (0..nproc), from /proc/stat. */
  machineBusyCores: number;
  /** Cores' worth used by each group. */
  groups: Record<string, number>;
  loadAverage1m: number;
}

export type Classifier = (pid: number, comm: string, cmdline: string) => string | null;

const TICK = 100;

function readStat(pid: string): { comm: string; ticks: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const rest = stat.slice(close + 2).split(' ');
    return { comm: stat.slice(stat.indexOf('(') + 1, close), ticks: Number(rest[11]) + Number(rest[12]) };
  } catch {
    return null;
  }
}

function machineTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3] - f[4], total };
}

export class CpuMonitor {
  private readonly first = new Map<string, number>();
  private readonly last = new Map<string, number>();
  private readonly group = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private t0 = 0;
  private m0 = { busy: 0, total: 0 };

  constructor(private readonly classify: Classifier) {}

  private poll(initial: boolean) {
    for (const pid of readdirSync('/proc')) {
      if (pid.charCodeAt(0) < 48 || pid.charCodeAt(0) > 57) continue;
      const s = readStat(pid);
      if (!s) continue;
      if (!this.group.has(pid)) {
        let cmdline = '';
        try {
          cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        } catch {
          /* gone */
        }
        this.group.set(pid, this.classify(Number(pid), s.comm, cmdline) ?? (s.comm === 'postgres' ? 'postgres (other databases)' : 'other processes'));
      }
      // A process first seen after the start began inside the window: count it from zero.
      if (!this.first.has(pid)) this.first.set(pid, initial ? s.ticks : 0);
      this.last.set(pid, s.ticks);
    }
  }

  start(): this {
    this.t0 = Date.now();
    this.m0 = machineTicks();
    this.poll(true);
    this.timer = setInterval(() => this.poll(false), 250);
    return this;
  }

  stop(): CpuBreakdown {
    if (this.timer) clearInterval(this.timer);
    this.poll(false);
    const wall = (Date.now() - this.t0) / 1000;
    const m1 = machineTicks();
    const groups: Record<string, number> = {};
    for (const [pid, last] of this.last) {
      const used = (last - (this.first.get(pid) ?? last)) / TICK / wall;
      const g = this.group.get(pid)!;
      if (used > 0) groups[g] = (groups[g] ?? 0) + used;
    }
    for (const k of Object.keys(groups)) groups[k] = Math.round(groups[k] * 100) / 100;
    const cores = readFileSync('/proc/cpuinfo', 'utf8').split('\n').filter((l) => l.startsWith('processor')).length;
    return {
      wallSeconds: wall,
      machineBusyCores: Math.round(((m1.busy - this.m0.busy) / Math.max(1, m1.total - this.m0.total)) * cores * 100) / 100,
      groups,
      loadAverage1m: loadavg()[0],
    };
  }
}

/** Groups for the benchmark's own processes: this process, the app server, PostgreSQL backends of our databases, pgbench, Redis. */
export function benchClassifier(serverPid: () => number | undefined, databases: string[]): Classifier {
  return (pid, comm, cmdline) => {
    if (pid === process.pid) return 'bench client (load generator)';
    // With BENCH_PROCESSES > 1 the server is a cluster: its workers are forks of the same script.
    if (pid === serverPid() || cmdline.includes('/bench/server.js')) return 'app server (Node)';
    if (comm === 'pgbench') return 'pgbench';
    // The app's queues (BENCH_QUEUE_BACKEND=redis, the default): its work, counted as the app's.
    if (comm === 'redis-server') return 'redis (queues)';
    if (comm === 'postgres' && databases.some((d) => cmdline.includes(` ${d} `))) return 'postgres (bench database)';
    return null;
  };
}

/**
 * Waits (at most maxMs) until processes other than ours use less than `threshold` cores
 * over a 2-second window, so that a phase does not start in the middle of someone else's
 * test run. Returns what was seen last, for the report.
 */
export async function waitForQuiet(classify: Classifier, maxMs = Number(process.env.BENCH_QUIET_WAIT_MS ?? 10_000), threshold = 0.3): Promise<{ waitedMs: number; otherCores: number }> {
  const t0 = Date.now();
  for (;;) {
    const m = new CpuMonitor(classify).start();
    await sleep(2000);
    const b = m.stop();
    const other = Object.entries(b.groups).filter(([g]) => !isOurs(g)).reduce((a, [, v]) => a + v, 0);
    if (other < threshold || Date.now() - t0 > maxMs) return { waitedMs: Date.now() - t0, otherCores: Math.round(other * 100) / 100 };
  }
}

export const isOurs = (group: string) => /bench client|app server|pgbench|bench database|redis/.test(group);

export function otherCores(b: CpuBreakdown): number {
  return Math.round(Object.entries(b.groups).filter(([g]) => !isOurs(g)).reduce((a, [, v]) => a + v, 0) * 100) / 100;
}
