import { ConfigError, loadConfig } from './config';

const valid = { ADMIN_API_KEY: 'a'.repeat(24) };

describe('loadConfig', () => {
  it('fills defaults from config/defaults.json and coerces numbers', () => {
    const config = loadConfig(valid);
    expect(config).toMatchObject({ PORT: 3000, DB_POOL_SIZE: 10, HOLD_MINUTES: 5, QUEUE_BACKEND: 'redis', DEFAULT_TIMEZONE: 'Europe/London' });
  });

  it('lets the environment override defaults, ignoring empty values', () => {
    const config = loadConfig({ ...valid, PORT: '8080', QUEUE_BACKEND: 'postgres', HOLD_MINUTES: '' });
    expect(config).toMatchObject({ PORT: 8080, QUEUE_BACKEND: 'postgres', HOLD_MINUTES: 5 });
  });

  it('names every bad variable in one message', () => {
    const attempt = () =>
      loadConfig({ ADMIN_API_KEY: 'short', DATABASE_URL: 'mysql://x', PORT: 'eighty', DEFAULT_TIMEZONE: 'Mars/Olympus', QUEUE_BACKEND: 'kafka' });
    expect(attempt).toThrow(ConfigError);
    const message = (() => {
      try {
        attempt();
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    for (const name of ['ADMIN_API_KEY', 'DATABASE_URL', 'PORT', 'DEFAULT_TIMEZONE', 'QUEUE_BACKEND']) expect(message).toContain(`${name}:`);
    expect(message).not.toContain('REDIS_URL');
  });

  it('requires an admin key: there is no default secret', () => {
    expect(() => loadConfig({})).toThrow(/ADMIN_API_KEY/);
  });
});
