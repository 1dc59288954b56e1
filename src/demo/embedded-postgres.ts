import { Extension, PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { BULLMQ_SCHEMA } from '../common/queue/queues';
import { PgMultiplexer } from './pg-multiplexer';

// The subpath ships a CommonJS build, but its type declarations are only reachable
// under ESM resolution, so it is required by hand and typed here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { btree_gist } = require('@electric-sql/pglite/contrib/btree_gist') as { btree_gist: Extension };

/**
 * PostgreSQL compiled to WebAssembly (PGlite), in memory, served over the wire protocol
 * on a loopback port so that the ordinary `pg` driver and TypeORM can talk to it. It is
 * a single backend session: connections go through PgMultiplexer, and the application
 * uses a pool of one, since a transaction waiting on another connection would wait forever.
 */
export async function startEmbeddedPostgres(): Promise<{ url: string; stop: () => Promise<void> }> {
  const db = await PGlite.create({ extensions: { btree_gist } });
  // BullMQ's PostgreSQL backend sends its search_path as a start-up option, which the
  // socket server ignores: its schema goes on the one session's path here instead.
  await db.exec(`CREATE SCHEMA IF NOT EXISTS ${BULLMQ_SCHEMA}; SET search_path TO public, ${BULLMQ_SCHEMA}`);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  // The app's connections, BullMQ's pool and its LISTEN client all share the one session.
  const multiplexer = await PgMultiplexer.start(Number(server.getServerConn().split(':').pop()));
  return {
    url: `postgres://postgres@127.0.0.1:${multiplexer.port}/postgres?sslmode=disable`,
    stop: async () => {
      await multiplexer.stop();
      await server.stop();
      await db.close();
    },
  };
}
