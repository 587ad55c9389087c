import { describe, expect, it } from 'vitest';
import { tokenFromFragment } from './auth';

describe('tokenFromFragment', () => {
  it('reads the token of a sign-in link and keeps the rest of the fragment', () => {
    expect(tokenFromFragment('#token=abc%2Bdef')).toEqual({ token: 'abc+def', rest: '' });
    expect(tokenFromFragment('#x=1&token=abc')).toEqual({ token: 'abc', rest: '#x=1' });
    expect(tokenFromFragment('#token=abc&x=1')).toEqual({ token: 'abc', rest: '#x=1' });
    expect(tokenFromFragment('#section')).toBeNull();
  });

  it('turns a malformed % into a message for the sign-in box instead of throwing', () => {
    const taken = tokenFromFragment('#token=abc%zz');
    expect(taken).toMatchObject({ rest: '' });
    expect(taken && 'error' in taken && taken.error).toMatch(/sign-in link is damaged/);
  });

  it('refuses an empty token', () => {
    expect(tokenFromFragment('#token=')).toMatchObject({ error: expect.stringMatching(/empty token/) });
  });
});
