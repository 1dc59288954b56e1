import { once } from 'node:events';
import { AddressInfo, connect, createServer, Socket } from 'node:net';

const SSL_REQUEST = 80877103;

/** Splits a byte stream into PostgreSQL protocol messages (type byte, then length). */
class MessageReader {
  private buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const messages: Buffer[] = [];
    while (this.buffer.length >= 5) {
      const size = 1 + this.buffer.readInt32BE(1);
      if (this.buffer.length < size) break;
      messages.push(this.buffer.subarray(0, size));
      this.buffer = this.buffer.subarray(size);
    }
    return messages;
  }
}

const message = (type: string, body: Buffer = Buffer.alloc(0)): Buffer => {
  const header = Buffer.alloc(5);
  header.write(type, 0);
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
};
const cstrings = (...values: string[]) => Buffer.concat(values.map((v) => Buffer.from(`${v}\0`)));

interface Client {
  socket: Socket;
  reader: MessageReader;
  pending: Buffer[];
}

/**
 * Serves many PostgreSQL connections over one connection to an embedded PGlite server.
 * PGlite is a single session and its socket server interleaves the messages of several
 * connections, which breaks the extended protocol (one client's Bind meets another's
 * Parse); here each client's request runs whole, up to its ReadyForQuery, and a client
 * in a transaction keeps the session until it ends. For the demo only: no
 * authentication, no COPY, no cancellation.
 */
export class PgMultiplexer {
  private readonly clients = new Set<Client>();
  private readonly queue: { client: Client; request: Buffer }[] = [];
  private current: Client | null = null;
  /** The client whose transaction holds the session, if any. */
  private owner: Client | null = null;
  private readonly upstreamReader = new MessageReader();

  private constructor(private readonly upstream: Socket) {
    upstream.on('data', (chunk: Buffer) => this.upstreamReader.push(chunk).forEach((m) => this.fromUpstream(m)));
  }

  /** Connects to the upstream server at `port` and listens on a loopback port of its own. */
  static async start(upstreamPort: number): Promise<{ port: number; stop: () => Promise<void> }> {
    const upstream = connect(upstreamPort, '127.0.0.1');
    await once(upstream, 'connect');
    const startup = cstrings('user', 'postgres', 'database', 'postgres', '');
    const head = Buffer.alloc(8);
    head.writeInt32BE(startup.length + 8, 0);
    head.writeInt32BE(196608, 4);
    upstream.write(Buffer.concat([head, startup]));
    await new Promise<void>((resolve) => {
      const reader = new MessageReader();
      const onData = (chunk: Buffer) => {
        if (reader.push(chunk).some((m) => m[0] === 0x5a)) {
          upstream.off('data', onData);
          resolve();
        }
      };
      upstream.on('data', onData);
    });
    let multiplexer: PgMultiplexer | undefined;
    const server = createServer((socket) => multiplexer!.accept(socket));
    multiplexer = new PgMultiplexer(upstream);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return {
      port: (server.address() as AddressInfo).port,
      stop: async () => {
        multiplexer!.clients.forEach((c) => c.socket.destroy());
        upstream.destroy();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  }

  private accept(socket: Socket): void {
    const client: Client = { socket, reader: new MessageReader(), pending: [] };
    let started = false;
    let startup = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('close', () => this.drop(client));
    socket.on('data', (chunk: Buffer) => {
      if (started) return this.fromClient(client, chunk);
      startup = Buffer.concat([startup, chunk]);
      while (startup.length >= 8 && startup.length >= startup.readInt32BE(0)) {
        const size = startup.readInt32BE(0);
        const code = startup.readInt32BE(4);
        startup = startup.subarray(size);
        if (code === SSL_REQUEST) {
          socket.write('N');
          continue;
        }
        started = true;
        this.clients.add(client);
        const key = Buffer.alloc(8);
        socket.write(
          Buffer.concat([
            message('R', Buffer.from([0, 0, 0, 0])),
            ...[
              ['server_version', '17.4'],
              ['server_encoding', 'UTF8'],
              ['client_encoding', 'UTF8'],
              ['DateStyle', 'ISO, MDY'],
              ['integer_datetimes', 'on'],
              ['standard_conforming_strings', 'on'],
            ].map(([name, value]) => message('S', cstrings(name, value))),
            message('K', key),
            message('Z', Buffer.from('I')),
          ]),
        );
        if (startup.length) this.fromClient(client, startup);
        return;
      }
    });
  }

  private fromClient(client: Client, chunk: Buffer): void {
    for (const m of client.reader.push(chunk)) {
      const type = String.fromCharCode(m[0]);
      if (type === 'X') {
        client.socket.end();
        return;
      }
      client.pending.push(m);
      // A request ends with Sync (extended protocol) or is one Query (simple protocol).
      if (type === 'S' || type === 'Q') {
        this.queue.push({ client, request: Buffer.concat(client.pending) });
        client.pending = [];
      }
    }
    this.next();
  }

  private next(): void {
    if (this.current) return;
    const index = this.owner ? this.queue.findIndex((q) => q.client === this.owner) : 0;
    if (index < 0 || this.queue.length === 0) return;
    const [{ client, request }] = this.queue.splice(index, 1);
    this.current = client;
    this.upstream.write(request);
  }

  private fromUpstream(m: Buffer): void {
    const type = String.fromCharCode(m[0]);
    if (type === 'A') {
      // A notification is the session's: every connection gets it, and those that did
      // not LISTEN ignore it, as a PostgreSQL client does.
      this.clients.forEach((c) => c.socket.write(m));
      return;
    }
    const client = this.current;
    if (client && !client.socket.destroyed) client.socket.write(m);
    if (type !== 'Z') return;
    // ReadyForQuery: 'I' idle, 'T' in a transaction, 'E' in a failed one.
    this.owner = m[5] === 0x49 ? null : client;
    this.current = null;
    if (this.owner && !this.clients.has(this.owner)) this.rollback(this.owner);
    this.next();
  }

  /** A client gone mid-transaction: its transaction is rolled back so others can go on. */
  private drop(client: Client): void {
    this.clients.delete(client);
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i].client === client) this.queue.splice(i, 1);
    if (this.owner === client && this.current !== client) {
      this.rollback(client);
      this.next();
    }
  }

  private rollback(client: Client): void {
    this.queue.unshift({ client, request: message('Q', cstrings('ROLLBACK')) });
  }
}
