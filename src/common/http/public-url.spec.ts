import { publicUrl } from './public-url';

describe('publicUrl', () => {
  it.each([
    ['http://localhost:3000', 'http://localhost:3000/v1/webhooks/twilio/status?messageId=1'],
    ['http://localhost:3000/', 'http://localhost:3000/v1/webhooks/twilio/status?messageId=1'],
    ['https://gateway.example/careers', 'https://gateway.example/careers/v1/webhooks/twilio/status?messageId=1'],
    ['https://gateway.example/careers/', 'https://gateway.example/careers/v1/webhooks/twilio/status?messageId=1'],
    ['https://gateway.example/careers/api', 'https://gateway.example/careers/api/v1/webhooks/twilio/status?messageId=1'],
  ])('keeps the path of %s before the route', (base, expected) => {
    expect(publicUrl({ PUBLIC_BASE_URL: base }, '/v1/webhooks/twilio/status?messageId=1')).toBe(expected);
  });

  it('gives the same URL for a route with or without its leading slash', () => {
    const config = { PUBLIC_BASE_URL: 'https://gateway.example/careers' };
    expect(publicUrl(config, 'v1/webhooks/twilio/status')).toBe(publicUrl(config, '/v1/webhooks/twilio/status'));
  });
});
