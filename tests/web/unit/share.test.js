import { describe, it, expect } from 'vitest';
import { encodeScenario, decodeScenario, sharePayload, shareLink } from '../../../web/share.js';

describe('share links', () => {
  it('round-trip any text, without padding, in the URL-safe alphabet', () => {
    for (const text of ['', 'nodes 5\nseed 1\nrun 2s\n', 'put bike42 alice # café ☕\n', 'x'.repeat(100_000)]) {
      const enc = encodeScenario(text);
      expect(enc).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(decodeScenario(enc)).toBe(text);
    }
    expect(encodeScenario('>>>???')).toBe('Pj4-Pz8_');
  });
  it('match RFC 4648 §5', () => {
    expect(encodeScenario('f')).toBe('Zg');
    expect(encodeScenario('fo')).toBe('Zm8');
    expect(encodeScenario('foo')).toBe('Zm9v');
  });
  it('say what is wrong with a broken link', () => {
    expect(() => decodeScenario('ab+c')).toThrow(/base64url.*character 3/);
    expect(() => decodeScenario('abcde')).toThrow(/length/);
    expect(() => decodeScenario('__4')).toThrow(/UTF-8/);
  });
  it('find the payload in a hash and build the link', () => {
    expect(sharePayload('#s=abc')).toBe('abc');
    expect(sharePayload('#x=abc')).toBeNull();
    expect(sharePayload('')).toBeNull();
    expect(shareLink('https://a.b', '/play/', 'run 1s\n')).toBe('https://a.b/play/#s=cnVuIDFzCg');
  });
});
