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

  it('bounds how long a request waits for a database connection', () => {
    expect(loadConfig(valid).DB_CONNECT_TIMEOUT_MS).toBe(10_000);
    expect(loadConfig({ ...valid, DB_CONNECT_TIMEOUT_MS: '2500' }).DB_CONNECT_TIMEOUT_MS).toBe(2500);
    for (const bad of ['0', '99', '120001', 'soon', '1.5']) expect(() => loadConfig({ ...valid, DB_CONNECT_TIMEOUT_MS: bad })).toThrow(/DB_CONNECT_TIMEOUT_MS/);
  });

  it('requires an admin key: there is no default secret', () => {
    expect(() => loadConfig({})).toThrow(/ADMIN_API_KEY/);
  });

  it('takes Twilio settings all together or not at all', () => {
    const twilio = { TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'x'.repeat(32), TWILIO_FROM: '+447700900001' };
    expect(loadConfig({ ...valid, ...twilio })).toMatchObject(twilio);
    expect(loadConfig(valid).TWILIO_ACCOUNT_SID).toBeUndefined();
    expect(() => loadConfig({ ...valid, TWILIO_ACCOUNT_SID: twilio.TWILIO_ACCOUNT_SID })).toThrow(/all three of TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM, or none/);
    expect(() => loadConfig({ ...valid, ...twilio, TWILIO_ACCOUNT_SID: 'SK123' })).toThrow(/TWILIO_ACCOUNT_SID: must be a Twilio account SID/);
  });

  it('reads the reminder settings: variants as a list, the worker flag as a boolean', () => {
    expect(loadConfig(valid)).toMatchObject({ MESSAGE_VARIANTS: ['standard', 'missed_cost'], RUN_WORKER: true });
    expect(loadConfig(valid).SMTP_URL).toBeUndefined();
    expect(loadConfig({ ...valid, MESSAGE_VARIANTS: ' standard , short ', RUN_WORKER: 'false' })).toMatchObject({ MESSAGE_VARIANTS: ['standard', 'short'], RUN_WORKER: false });
    expect(() => loadConfig({ ...valid, MESSAGE_VARIANTS: 'Standard' })).toThrow(/MESSAGE_VARIANTS/);
    expect(() => loadConfig({ ...valid, RUN_WORKER: 'yes' })).toThrow(/RUN_WORKER/);
    expect(() => loadConfig({ ...valid, SMTP_URL: 'http://mail' })).toThrow(/SMTP_URL/);
  });

  it("reads TRUST_PROXY as Express's 'trust proxy': off, a number of hops, or addresses", () => {
    expect(loadConfig(valid).TRUST_PROXY).toBe(false);
    expect(loadConfig({ ...valid, TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ ...valid, TRUST_PROXY: 'loopback, 10.0.0.0/8' }).TRUST_PROXY).toBe('loopback, 10.0.0.0/8');
    expect(() => loadConfig({ ...valid, TRUST_PROXY: 'true; rm' })).toThrow(/TRUST_PROXY/);
  });
});
