import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { serverVersion } from './db';
import { ROOT } from './paths';

export interface Machine {
  date: string;
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  postgres: string;
  loadAverage: number[];
  /** The code measured: the commit checked out (read from .git, no git command) and a hash of src/ and migrations/ as they are on disk. */
  commit: string;
  sourceHash: string;
}

function headCommit(): string {
  try {
    const head = readFileSync(join(ROOT, '.git', 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice(5);
    if (existsSync(join(ROOT, '.git', ref))) return readFileSync(join(ROOT, '.git', ref), 'utf8').trim();
    const packed = readFileSync(join(ROOT, '.git', 'packed-refs'), 'utf8').split('\n').find((l) => l.endsWith(` ${ref}`));
    return packed?.split(' ')[0] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function sourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.endsWith('.spec.ts')) hash.update(path.slice(ROOT.length)).update(readFileSync(path));
    }
  };
  walk(join(ROOT, 'src'));
  walk(join(ROOT, 'migrations'));
  return hash.digest('hex').slice(0, 12);
}

export async function machine(): Promise<Machine> {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? model;
  } catch {
    /* not Linux */
  }
  return {
    date: new Date().toISOString(),
    nproc: cpus().length,
    cpuModel: model,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    postgres: await serverVersion(),
    loadAverage: loadavg(),
    commit: headCommit(),
    sourceHash: sourceHash(),
  };
}
