/**
 * The Twilio stand-in of the tests, in a process of its own for the reminders benchmark,
 * so that answering the worker does not take CPU from the worker's own event loop.
 * Reports its URL, then answers 'count' messages with what it has received.
 */
import { TwilioStandIn } from '../test/support/twilio-stand-in';

async function main() {
  const standIn = await TwilioStandIn.start();
  process.on('message', (message) => {
    if (message === 'count') {
      const to = new Set(standIn.received.map((m) => m.to));
      process.send!({ received: standIn.received.length, distinctRecipients: to.size });
    }
  });
  process.send!({ url: standIn.url });
}

void main();
