import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './common/config/config';

async function main() {
  const config = loadConfig();
  const app = await createApp(config);
  // On SIGTERM, SIGINT and the other shutdown signals Nest closes the app (HTTP, workers,
  // queues, the pool), then re-raises the signal.
  app.enableShutdownHooks();
  await app.listen(config.PORT, '0.0.0.0');
  console.log(`Listening on ${await app.getUrl()} (API docs at ${config.PUBLIC_BASE_URL}/docs)`);
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
