import cluster from 'node:cluster';
import { runWebCluster } from './common/cluster/web-cluster';
import { ConfigError, loadConfig } from './common/config/config';

async function main() {
  const config = loadConfig();
  // WEB_CONCURRENCY > 1: this process only forks and watches the HTTP workers, each of which
  // runs this file again as a full server below, on the same port.
  if (config.WEB_CONCURRENCY > 1 && cluster.isPrimary) return runWebCluster(config.WEB_CONCURRENCY);
  // Loaded here, not at the top: a cluster's primary never builds the application.
  const { createApp } = await import('./app.factory');
  const app = await createApp(config);
  // On SIGTERM, SIGINT and the other shutdown signals Nest closes the app (HTTP, workers,
  // queues, the pool), then re-raises the signal.
  app.enableShutdownHooks();
  await app.listen(config.PORT, '0.0.0.0');
  if (cluster.isPrimary) console.log(`Listening on ${await app.getUrl()} (API docs at ${config.PUBLIC_BASE_URL}/docs)`);
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
