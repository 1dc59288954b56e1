import { Extension, PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

// The subpath ships a CommonJS build, but its type declarations are only reachable
// under ESM resolution, so it is required by hand and typed here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { btree_gist } = require('@electric-sql/pglite/contrib/btree_gist') as { btree_gist: Extension };

/**
 * PostgreSQL compiled to WebAssembly (PGlite), in memory, served over the wire protocol
 * on a loopback port so that the ordinary `pg` driver and TypeORM can talk to it. It is
 * a single backend session: the application must use a pool of one connection.
 */
export async function startEmbeddedPostgres(): Promise<{ url: string; stop: () => Promise<void> }> {
  const db = await PGlite.create({ extensions: { btree_gist } });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres?sslmode=disable`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
