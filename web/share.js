// Share links: the recorded scenario as base64url (RFC 4648 §5, no padding) after `#s=`.
// Pure functions; decoding says exactly what is wrong with a broken link.

const ALPHABET = /^[A-Za-z0-9_-]*$/;

/** base64url of the UTF-8 bytes of `text`, without padding. */
export function encodeScenario(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The scenario text inside base64url `data`. Throws an Error whose message names the problem:
 * a character outside the alphabet, an impossible length, or bytes that are not UTF-8.
 */
export function decodeScenario(data) {
  if (!ALPHABET.test(data)) {
    const bad = [...data].findIndex((ch) => !/[A-Za-z0-9_-]/.test(ch));
    throw new Error(
      `the link is not valid base64url: character ${bad + 1} (${JSON.stringify(data[bad])}) is not allowed`,
    );
  }
  if (data.length % 4 === 1) {
    throw new Error(`the link is not valid base64url: its length (${data.length}) cannot be complete`);
  }
  const padded = data.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (data.length % 4)) % 4);
  let binary;
  try {
    binary = atob(padded);
  } catch {
    throw new Error('the link is not valid base64url');
  }
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error('the link does not hold UTF-8 text');
  }
}

/** The base64url payload of a location hash `#s=…`, or null when the hash is not a share link. */
export function sharePayload(hash) {
  const m = /^#s=(.*)$/s.exec(hash || '');
  return m ? m[1] : null;
}

/** The full share link of `scenario` for a page at `origin` + `pathname`. */
export function shareLink(origin, pathname, scenario) {
  return `${origin}${pathname}#s=${encodeScenario(scenario)}`;
}
