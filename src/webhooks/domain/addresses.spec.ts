import fc from 'fast-check';
import { addressAllowed, AddressKind, classifyAddress, urlProblem } from './addresses';

describe('classifyAddress', () => {
  it.each<[string, AddressKind]>([
    ['8.8.8.8', 'public'],
    ['93.184.215.14', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['100.63.255.255', 'public'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['100.128.0.0', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['169.254.169.254', 'link_local'],
    ['172.15.255.255', 'public'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.0', 'public'],
    ['192.168.1.1', 'private'],
    ['192.0.2.10', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['[::ffff:a9fe:a9fe]', 'link_local'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['2002:c0a8:0101::1', 'private'],
    ['fc00::1', 'unique_local'],
    ['fd12:3456:789a::1', 'unique_local'],
    ['fe80::1', 'link_local'],
    ['febf::1', 'link_local'],
    ['fec0::1', 'reserved'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2001::1', 'reserved'],
    ['::127.0.0.1', 'reserved'],
    ['2a00:1450:4009:81f::200e', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['fe80::1%eth0', 'invalid'],
    ['1.2.3', 'invalid'],
    ['01.2.3.4', 'invalid'],
    ['256.1.1.1', 'invalid'],
    ['1::2::3', 'invalid'],
    ['1:2:3:4:5:6:7:8:9', 'invalid'],
    ['example.com', 'invalid'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
  const dotted = ([a, b, c, d]: number[]) => `${a}.${b}.${c}.${d}`;
  const hex = ([a, b, c, d]: number[]) => `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;

  it('an IPv4-mapped IPv6 address is whatever its IPv4 address is, written either way', () => {
    fc.assert(
      fc.property(v4, (bytes) => {
        const kind = classifyAddress(dotted(bytes));
        expect(classifyAddress(`::ffff:${dotted(bytes)}`)).toBe(kind);
        expect(classifyAddress(`::ffff:${hex(bytes)}`)).toBe(kind);
        expect(classifyAddress(`0:0:0:0:0:ffff:${hex(bytes)}`)).toBe(kind);
      }),
    );
  });

  it('only public addresses are allowed, and loopback only where tests allow it', () => {
    fc.assert(
      fc.property(v4, fc.boolean(), (bytes, allowLoopback) => {
        const address = dotted(bytes);
        const kind = classifyAddress(address);
        expect(addressAllowed(address, allowLoopback)).toBe(kind === 'public' || (allowLoopback && kind === 'loopback'));
        expect(addressAllowed(`::ffff:${address}`, allowLoopback)).toBe(addressAllowed(address, allowLoopback));
      }),
    );
  });

  it('every address in a private, loopback, link-local or CGNAT block is refused', () => {
    const blocks: [number[], number][] = [[[10], 8], [[127], 8], [[169, 254], 16], [[172, 16], 12], [[192, 168], 16], [[100, 64], 10]];
    fc.assert(
      fc.property(fc.constantFrom(...blocks), v4, ([prefix, bits], random) => {
        const bytes = random.map((b, i) => {
          const fixedBits = Math.max(0, Math.min(8, bits - i * 8));
          const mask = (0xff << (8 - fixedBits)) & 0xff;
          return ((prefix[i] ?? 0) & mask) | (b & ~mask & 0xff);
        });
        expect(addressAllowed(dotted(bytes), false)).toBe(false);
      }),
    );
  });

  it('an IPv6 address reads the same compressed or written out', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }), (groups) => {
        const full = groups.map((g) => g.toString(16)).join(':');
        const padded = groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
        expect(classifyAddress(full)).not.toBe('invalid');
        expect(classifyAddress(padded)).toBe(classifyAddress(full));
        const zeroRun = full.replace(/(^|:)0(:0)+(:|$)/, '::');
        expect(classifyAddress(zeroRun)).toBe(classifyAddress(full));
      }),
    );
  });
});

describe('urlProblem', () => {
  it.each<[string, boolean, string | null]>([
    ['https://hooks.partner.example/careers', false, null],
    ['https://93.184.215.14/hook', false, null],
    ['https://[2606:4700:4700::1111]/hook', false, null],
    ['http://hooks.partner.example/careers', false, 'URL_NOT_HTTPS'],
    ['ftp://hooks.partner.example/', false, 'URL_NOT_HTTPS'],
    ['hooks.partner.example/careers', false, 'URL_INVALID'],
    ['https://user:pass@hooks.partner.example/', false, 'URL_INVALID'],
    ['https://127.0.0.1/hook', false, 'ADDRESS_NOT_ALLOWED'],
    ['https://10.1.2.3/hook', false, 'ADDRESS_NOT_ALLOWED'],
    ['https://169.254.169.254/latest/meta-data', false, 'ADDRESS_NOT_ALLOWED'],
    ['https://100.64.0.1/', false, 'ADDRESS_NOT_ALLOWED'],
    ['https://[::1]/', false, 'ADDRESS_NOT_ALLOWED'],
    ['https://[::ffff:127.0.0.1]/', false, 'ADDRESS_NOT_ALLOWED'],
    ['https://[fd00::1]/', false, 'ADDRESS_NOT_ALLOWED'],
    // The WHATWG parser reads these as 127.0.0.1, and so do we.
    ['https://2130706433/', false, 'ADDRESS_NOT_ALLOWED'],
    ['https://0x7f.1/', false, 'ADDRESS_NOT_ALLOWED'],
    ['http://127.0.0.1:8080/hook', false, 'ADDRESS_NOT_ALLOWED'],
    ['http://127.0.0.1:8080/hook', true, null],
    ['http://localhost:8080/hook', true, null],
    ['http://[::1]:8080/hook', true, null],
    ['http://10.0.0.1/hook', true, 'ADDRESS_NOT_ALLOWED'],
    ['http://hooks.partner.example/', true, 'URL_NOT_HTTPS'],
  ])('%s (loopback allowed: %s) -> %s', (url, allowLoopback, code) => {
    expect(urlProblem(url, allowLoopback)?.code ?? null).toBe(code);
  });

  it('a url over 2,048 characters is refused', () => {
    expect(urlProblem(`https://hooks.partner.example/${'x'.repeat(2048)}`, false)?.code).toBe('URL_INVALID');
  });
});
