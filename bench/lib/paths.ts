import { existsSync, lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Where things are. The benchmarks run from bench/build/bench/*.js (see bench/tsconfig.json);
 * the src modules they import are compiled next to them in bench/build/src, and look for
 * config/defaults.json, migrations/ and views/ three levels above their own folder, i.e. in
 * bench/build. Links there point back at the real ones, so there is one copy of each.
 */
function findRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'migrations'))) return dir;
    dir = resolve(dir, '..');
  }
  throw new Error(`Cannot find the repository root above ${__dirname}`);
}

export const ROOT = findRoot();
export const BUILD_DIR = join(ROOT, 'bench', 'build');
export const RESULTS_DIR = join(ROOT, 'bench', 'results');

function link(name: string) {
  const at = join(BUILD_DIR, name);
  try {
    lstatSync(at);
  } catch {
    symlinkSync(join(ROOT, name), at, 'dir');
  }
}

if (__dirname.startsWith(BUILD_DIR)) {
  link('config');
  link('migrations');
  // The pages' Nunjucks templates (src/web/views.ts looks beside src/), for bench:pages.
  link('views');
}

export function writeResult(name: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(RESULTS_DIR, `${name}-${stamp}.json`);
  // Raw latency samples are for merging runs in memory, not for the results file.
  const text = JSON.stringify(data, (key, value) => (key === 'samples' ? undefined : value), 2);
  writeFileSync(file, text);
  writeFileSync(join(RESULTS_DIR, `${name}-latest.json`), text);
  return file;
}
