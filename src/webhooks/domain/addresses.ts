/**
 * Where a webhook may go (SSRF): which IP addresses are public, and which URLs an endpoint
 * may have. Checked when an endpoint is registered and again, on the addresses its name
 * resolves to, before every attempt.
 */

export type AddressKind =
  | 'public'
  | 'private'
  | 'loopback'
  | 'link_local'
  | 'unique_local'
  | 'cgnat'
  | 'unspecified'
  | 'multicast'
  | 'reserved'
  | 'invalid';

/** An IPv4 address as four bytes, or null if `text` is not one in dotted-decimal form. */
function parseIpv4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9][0-9]{0,2})$/.test(p))) return null;
  const bytes = parts.map(Number);
  return bytes.every((b) => b <= 255) ? bytes : null;
}

/** An IPv6 address as eight 16-bit groups (an IPv4 tail allowed), or null. */
function parseIpv6(text: string): number[] | null {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.split('::').length > 2) return null;
  const groupsOf = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (const [i, piece] of pieces.entries()) {
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (!v4) return null;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const [head, tail] = text.split('::');
  const before = groupsOf(head);
  const after = tail === undefined ? [] : groupsOf(tail);
  if (!before || !after) return null;
  if (tail === undefined) return before.length === 8 ? before : null;
  const missing = 8 - before.length - after.length;
  return missing >= 1 ? [...before, ...Array<number>(missing).fill(0), ...after] : null;
}

const inV4 = (bytes: number[], prefix: number[], bits: number): boolean => {
  const value = (b: number[]) => ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (value(bytes) & mask) >>> 0 === (value(prefix) & mask) >>> 0;
};

// Most specific first: 192.0.0.0/24 sits inside nothing else, but order keeps it obvious.
const V4_RANGES: [number[], number, AddressKind][] = [
  [[0, 0, 0, 0], 8, 'unspecified'],
  [[10, 0, 0, 0], 8, 'private'],
  [[100, 64, 0, 0], 10, 'cgnat'],
  [[127, 0, 0, 0], 8, 'loopback'],
  [[169, 254, 0, 0], 16, 'link_local'],
  [[172, 16, 0, 0], 12, 'private'],
  [[192, 0, 0, 0], 24, 'reserved'],
  [[192, 0, 2, 0], 24, 'reserved'],
  [[192, 88, 99, 0], 24, 'reserved'],
  [[192, 168, 0, 0], 16, 'private'],
  [[198, 18, 0, 0], 15, 'reserved'],
  [[198, 51, 100, 0], 24, 'reserved'],
  [[203, 0, 113, 0], 24, 'reserved'],
  [[224, 0, 0, 0], 4, 'multicast'],
  [[240, 0, 0, 0], 4, 'reserved'],
];

function classifyV4(bytes: number[]): AddressKind {
  return V4_RANGES.find(([prefix, bits]) => inV4(bytes, prefix, bits))?.[2] ?? 'public';
}

const v4Tail = (g: number[], from: number): number[] => [g[from] >> 8, g[from] & 0xff, g[from + 1] >> 8, g[from + 1] & 0xff];

function classifyV6(g: number[]): AddressKind {
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeros(8)) return 'unspecified';
  if (zeros(7) && g[7] === 1) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d) and NAT64's well-known prefix (64:ff9b::a.b.c.d) reach the IPv4 address they carry.
  if (zeros(5) && g[5] === 0xffff) return classifyV4(v4Tail(g, 6));
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return classifyV4(v4Tail(g, 6));
  // 6to4 (2002:a.b.c.d::/48) tunnels to the IPv4 address in its second and third groups.
  if (g[0] === 0x2002) return classifyV4(v4Tail(g, 1));
  if ((g[0] & 0xfe00) === 0xfc00) return 'unique_local';
  if ((g[0] & 0xffc0) === 0xfe80) return 'link_local';
  if ((g[0] & 0xff00) === 0xff00) return 'multicast';
  // Documentation, Teredo and the other special blocks inside 2000::/3; outside it nothing is routed publicly (site-local, IPv4-compatible, discard).
  if (g[0] === 0x2001 && (g[1] === 0x0db8 || g[1] < 0x0200)) return 'reserved';
  if ((g[0] & 0xe000) !== 0x2000) return 'reserved';
  return 'public';
}

/** What kind of address `text` is: an IPv4 or IPv6 literal (brackets allowed), as a resolver or a URL gives it. */
export function classifyAddress(text: string): AddressKind {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const v4 = parseIpv4(bare);
  if (v4) return classifyV4(v4);
  // A zone id (fe80::1%eth0) names an interface of this machine: never a partner's address.
  const v6 = bare.includes(':') && !bare.includes('%') ? parseIpv6(bare) : null;
  return v6 ? classifyV6(v6) : 'invalid';
}

/** Whether `text` is an IP literal rather than a name to resolve. */
export const isAddressLiteral = (text: string): boolean => classifyAddress(text) !== 'invalid';

/** Whether a webhook may be sent to this address. Loopback only where tests allow it. */
export const addressAllowed = (text: string, allowLoopback: boolean): boolean => {
  const kind = classifyAddress(text);
  return kind === 'public' || (allowLoopback && kind === 'loopback');
};

export interface UrlProblem {
  code: 'URL_INVALID' | 'URL_NOT_HTTPS' | 'ADDRESS_NOT_ALLOWED';
  message: string;
}

export const MAX_URL_LENGTH = 2048;

/**
 * What is wrong with `url` as a webhook endpoint before any name is resolved: not an
 * absolute http(s) URL, credentials in it, not https, or an IP literal that is not public.
 * With `allowLoopback` (tests) plain http is allowed to loopback literals and localhost.
 */
export function urlProblem(url: string, allowLoopback: boolean): UrlProblem | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { code: 'URL_INVALID', message: 'The url is not an absolute URL' };
  }
  if (url.length > MAX_URL_LENGTH) return { code: 'URL_INVALID', message: `The url is longer than ${MAX_URL_LENGTH} characters` };
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return { code: 'URL_NOT_HTTPS', message: 'Webhooks are sent over https only' };
  if (parsed.username || parsed.password) return { code: 'URL_INVALID', message: 'The url may not carry a user name or password; verify webhooks by their signature' };
  const host = parsed.hostname;
  const literal = isAddressLiteral(host);
  if (literal && !addressAllowed(host, allowLoopback)) {
    return { code: 'ADDRESS_NOT_ALLOWED', message: `Webhooks are never sent to ${classifyAddress(host).replace('_', '-')} addresses (${host})` };
  }
  const loopbackHost = literal ? classifyAddress(host) === 'loopback' : host === 'localhost';
  if (parsed.protocol === 'http:' && !(allowLoopback && loopbackHost)) return { code: 'URL_NOT_HTTPS', message: 'Webhooks are sent over https only' };
  return null;
}
