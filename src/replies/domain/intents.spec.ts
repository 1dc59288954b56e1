import fc from 'fast-check';
import { Intent, parseReply, words } from './intents';

const confirm = (choice: string | null = null): Intent => ({ kind: 'confirm', choice });
const cancel = (choice: string | null = null): Intent => ({ kind: 'cancel', choice });
const move = (choice: string | null = null): Intent => ({ kind: 'move', choice });
const UNKNOWN: Intent = { kind: 'unknown' };

describe('parseReply', () => {
  it.each<[string, Intent]>([
    ['YES', confirm()],
    ['yes', confirm()],
    ['Yes!!', confirm()],
    ['  y ', confirm()],
    ['OK', confirm()],
    ['okay 👍', confirm()],
    ['Confirm.', confirm()],
    ['yes thanks', confirm()],
    ['Yes please x', confirm()],
    ['yes - John', confirm()],
    ['Yes, Priya Sharma', confirm()],
    ['👍 yes', confirm()],
    ['Ie', confirm()],
    ['YES B', confirm('B')],
    ['yes b', confirm('B')],
    ['YesB', confirm('B')],
    ['y a', confirm('A')],
    ['NO', cancel()],
    ['no thanks', cancel()],
    ['No. Sam', cancel()],
    ['Na', cancel()],
    ['nah', cancel()],
    ['Cancel', cancel()],
    ['cancel please', cancel()],
    ['C', cancel()],
    ['NO A', cancel('A')],
    ['noa', cancel('A')],
    ['MOVE', move()],
    ['rebook', move()],
    ['R', move()],
    ['Move it please', move()],
    ['move b', move('B')],
    ['1', { kind: 'pick', option: 1 }],
    ['2.', { kind: 'pick', option: 2 }],
    ['3 please', { kind: 'pick', option: 3 }],
    ['STOP', { kind: 'stop' }],
    ['stop texting me', { kind: 'stop' }],
    ['Stop all', { kind: 'stop' }],
    ['STOPALL', { kind: 'stop' }],
    ['unsubscribe', { kind: 'stop' }],
    ['opt-out', { kind: 'stop' }],
    ['END', { kind: 'stop' }],
    ['quit', { kind: 'stop' }],
    ['START', { kind: 'start' }],
    ['unstop', { kind: 'start' }],
    ['HELP', { kind: 'help' }],
    ['info', { kind: 'help' }],
    ['', UNKNOWN],
    ['   ', UNKNOWN],
    ['👍', UNKNOWN],
    ['🙂🙂🙂', UNKNOWN],
    ['what time is it again?', UNKNOWN],
    ['Who is this', UNKNOWN],
    ['no problem, see you then', UNKNOWN],
    ['No worries', UNKNOWN],
    ["yes but I can't come", UNKNOWN],
    ['Yes but running late', UNKNOWN],
    ["ok can't make it", UNKNOWN],
    ['no, move it instead', UNKNOWN],
    ['4', UNKNOWN],
    ['0', UNKNOWN],
    ['12', UNKNOWN],
    ['A', UNKNOWN],
    ['yesterday', UNKNOWN],
    ['Nobody', UNKNOWN],
  ])('%j is %j', (body, intent) => {
    expect(parseReply(body).intent).toEqual(intent);
  });

  // Twilio acts only on the whole body as a keyword, in any case.
  it.each([
    ['STOP', 'STOP'],
    [' stop ', 'STOP'],
    ['Cancel', 'STOP'],
    ['unsubscribe', 'STOP'],
    ['StopAll', 'STOP'],
    ['revoke', 'STOP'],
    ['optout', 'STOP'],
    ['Start', 'START'],
    ['yes', 'START'],
    ['UNSTOP', 'START'],
    ['help', 'HELP'],
    ['INFO', 'HELP'],
    ['stop please', null],
    ['Cancel.', null],
    ['yes thanks', null],
    ['Yes!!', null],
    ['NO', null],
    ['constructor', null],
  ])('Twilio reads %j as %s', (body, keyword) => {
    expect(parseReply(body).carrierKeyword).toBe(keyword);
  });

  it('never throws, whatever arrives, and answers one of the known kinds', () => {
    const kinds = ['confirm', 'cancel', 'move', 'pick', 'stop', 'start', 'help', 'unknown'];
    const body = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({ minLength: 1500, maxLength: 1600 }),
      fc.string({ unit: fc.constantFrom('😀', '👍', '🙂', '❤️', '🇬🇧', ' ', '!', '\u200d', '\ufe0f'), maxLength: 100 }),
      fc.tuple(fc.constantFrom('yes', 'NO', 'Move', 'stop', '1', 'c', 'IE'), fc.string({ maxLength: 100 })).map(([a, b]) => `${a}${b}`),
    );
    fc.assert(
      fc.property(body, (text) => {
        const parsed = parseReply(text);
        expect(kinds).toContain(parsed.intent.kind);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads emoji-only messages as unknown', () => {
    const emoji = fc.string({ unit: fc.constantFrom('😀', '👍', '🙂', '❤️', '🇬🇧', '\u200d', '\ufe0f', '🙏🏽'), minLength: 1, maxLength: 50 });
    fc.assert(fc.property(emoji, (text) => expect(parseReply(text).intent).toEqual(UNKNOWN)));
  });

  it('reads a 1,600-character body by its opening, and a long unknown one as unknown', () => {
    expect(parseReply(`yes ${'thanks '.repeat(228)}`.slice(0, 1600)).intent).toEqual(confirm());
    expect(parseReply('x'.repeat(1600)).intent).toEqual(UNKNOWN);
  });

  it('ignores what surrounds a keyword but not what it says: emoji, punctuation and case are not words', () => {
    fc.assert(
      fc.property(fc.constantFrom('YES', 'No', 'move', 'STOP', 'help'), fc.string({ unit: fc.constantFrom('!', '.', ' ', '😀', '👍', '?', '\n'), maxLength: 10 }), (word, noise) => {
        expect(parseReply(`${noise}${word}${noise}`).intent).toEqual(parseReply(word).intent);
      }),
    );
  });
});

describe('words', () => {
  it('drops accents and closes up apostrophes', () => {
    expect(words("Can't — café, ÖK!")).toEqual(['CANT', 'CAFE', 'OK']);
  });
});
