// The one username normalisation: every way of typing an account's name reaches the same key.
import { describe, expect, it } from 'vitest';
import { LoginSchema, UsernameSchema } from '../../../server/contract/agents';
import { normaliseUsername, usernameOf } from '../../../server/contract/username';

describe('normaliseUsername', () => {
  it.each([
    ['alice', 'alice'],
    [' alice', 'alice'],
    ['alice ', 'alice'],
    ['ALICE ', 'alice'],
    ['Alice', 'alice'],
    ['\talice\n', 'alice'],
    ['\u00a0Alice\u2003', 'alice'],
  ])('%j is the account %j', (typed, account) => {
    expect(normaliseUsername(typed)).toBe(account);
  });

  it('composes accents, so an é typed as e + combining accent is the same account', () => {
    const composed = 'ren\u00e9';
    const decomposed = 'rene\u0301';
    expect(normaliseUsername(decomposed)).toBe(composed);
    expect(normaliseUsername(decomposed.toUpperCase())).toBe(composed);
  });

  it('lower-cases the same on every server, whatever its locale (no Turkish dotless i)', () => {
    expect(normaliseUsername('IRIS')).toBe('iris');
  });

  it('is idempotent', () => {
    for (const typed of [' ÅSA ', 'A\u030aSA', 'Bob.Smith@Example.COM'])
      expect(normaliseUsername(normaliseUsername(typed))).toBe(normaliseUsername(typed));
  });
});

describe('usernameOf', () => {
  it('reads a string username from a body, normalised', () => {
    expect(usernameOf({ username: ' ALICE ', password: 'x' })).toBe('alice');
  });

  it.each([
    ['no body', undefined],
    ['a body without one', {}],
    ['an empty one', { username: '   ' }],
    ['an object with toString', { username: { toString: 1 } }],
    ['an array', { username: ['a', 'b'] }],
    ['a number', { username: 42 }],
    ['null', { username: null }],
    ['a body that is an array', [{ username: 'alice' }]],
  ])('is undefined for %s, without stringifying anything', (_label, body) => {
    expect(usernameOf(body)).toBeUndefined();
  });
});

describe('the contract schemas use it', () => {
  it('the agent login body names the account the same way however it is typed', () => {
    for (const typed of ['alice', ' alice', 'ALICE ', 'Alice'])
      expect(LoginSchema.parse({ username: typed, password: 'x' }).username).toBe('alice');
  });

  it('a new agent username is checked after normalisation', () => {
    expect(UsernameSchema.parse('  Bob.Smith ')).toBe('bob.smith');
    expect(UsernameSchema.safeParse('b o b').success).toBe(false);
  });
});
