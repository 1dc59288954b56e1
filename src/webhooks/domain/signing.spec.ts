import { Webhook } from 'standardwebhooks';
import { newSecret, signedHeaders, signingSecrets } from './signing';

// The specification's published test vector, copied from the Standard Webhooks reference
// library's own tests: github.com/standard-webhooks/standard-webhooks,
// libraries/javascript/src/webhook.test.ts ("sign function works"; the same values appear
// in the other languages' tests).
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  msgId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('signedHeaders', () => {
  it("signs the specification's test vector to its published signature", () => {
    const headers = signedHeaders([VECTOR.secret], VECTOR.msgId, VECTOR.timestamp * 1000 + 999, VECTOR.payload);
    expect(headers).toEqual({ 'webhook-id': VECTOR.msgId, 'webhook-timestamp': String(VECTOR.timestamp), 'webhook-signature': VECTOR.signature });
  });

  it('the published vector verifies with the secret with or without its whsec_ prefix', () => {
    const headers = { 'webhook-id': VECTOR.msgId, 'webhook-timestamp': String(VECTOR.timestamp), 'webhook-signature': VECTOR.signature };
    jest.useFakeTimers({ now: VECTOR.timestamp * 1000 });
    try {
      expect(new Webhook(VECTOR.secret).verify(VECTOR.payload, headers)).toEqual({ test: 2432232314 });
      expect(new Webhook(VECTOR.secret.slice('whsec_'.length)).verify(VECTOR.payload, headers)).toEqual({ test: 2432232314 });
      // Six minutes later the same webhook is a replay, and refused.
      jest.setSystemTime((VECTOR.timestamp + 6 * 60) * 1000);
      expect(() => new Webhook(VECTOR.secret).verify(VECTOR.payload, headers)).toThrow('Message timestamp too old');
    } finally {
      jest.useRealTimers();
    }
  });

  it('during a rotation, signs with both secrets, and either verifies; a third does not', () => {
    const [current, previous, other] = [newSecret(), newSecret(), newSecret()];
    const now = Date.now();
    const body = '{"type":"booking.created"}';
    const headers = signedHeaders([current, previous], 'msg_1', now, body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(body, { ...headers })).toEqual({ type: 'booking.created' });
    expect(new Webhook(previous).verify(body, { ...headers })).toEqual({ type: 'booking.created' });
    expect(() => new Webhook(other).verify(body, { ...headers })).toThrow('No matching signature found');
    expect(() => new Webhook(current).verify(`${body} `, { ...headers })).toThrow('No matching signature found');
  });
});

describe('signingSecrets', () => {
  it('keeps the previous secret only until its overlap ends', () => {
    expect(signingSecrets('new', 'old', 2000, 1999)).toEqual(['new', 'old']);
    expect(signingSecrets('new', 'old', 2000, 2000)).toEqual(['new']);
    expect(signingSecrets('new', null, null, 0)).toEqual(['new']);
  });

  it('makes secrets in the whsec_ form with 32 random bytes', () => {
    const secret = newSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(newSecret()).not.toBe(secret);
  });
});
