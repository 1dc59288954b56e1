/** Summaries of a V8 CPU profile (.cpuprofile): where the busy time went, by package and by function. */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  wallMs: number;
  busyMs: number;
  /** Self time by package or app folder, as a share of busy (non-idle) time. */
  categories: { name: string; ms: number; share: number }[];
  functions: { name: string; where: string; ms: number; share: number }[];
}

export function category(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(garbage collector)') return 'V8 garbage collector';
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(program)') return 'V8/native (program)';
    return `native ${functionName}`;
  }
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 14).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const src = url.indexOf('/bench/build/src/');
  if (src >= 0) return `app src/${url.slice(src + 17).split('/').slice(0, -1).join('/') || '.'}`;
  if (url.includes('/bench/build/bench/')) return 'bench harness (instrumentation)';
  if (url.startsWith('node:')) {
    const mod = url.slice(5).split('/');
    const name = mod[0] === 'internal' ? mod[1] ?? 'internal' : mod[0];
    return `node core: ${name.replace(/\.js$/, '').replace(/^_http_\w+$/, 'http').replace(/^streams$/, 'stream')}`;
  }
  return 'other';
}

export function summariseProfile(profile: CpuProfile, top = 20): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const cats = new Map<string, number>();
  const fns = new Map<string, { name: string; where: string; us: number }>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const cat = category(url, functionName);
    if (cat === '(idle)') continue;
    busy += us;
    cats.set(cat, (cats.get(cat) ?? 0) + us);
    const where = url ? `${url.replace(/^.*\/(node_modules|bench\/build)\//, '')}:${lineNumber + 1}` : '';
    const key = `${functionName}|${where}`;
    const f = fns.get(key) ?? { name: functionName || '(anonymous)', where, us: 0 };
    f.us += us;
    fns.set(key, f);
  }
  const share = (us: number) => Math.round((1000 * us) / busy) / 10;
  return {
    wallMs: (profile.endTime - profile.startTime) / 1000,
    busyMs: busy / 1000,
    categories: [...cats].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: us / 1000, share: share(us) })),
    functions: [...fns.values()].sort((a, b) => b.us - a.us).slice(0, top).map((f) => ({ name: f.name, where: f.where, ms: f.us / 1000, share: share(f.us) })),
  };
}
