// Share links: the recorded scenario as base64url (RFC 4648 §5, no padding) after `#s=`.
// Decoding says exactly what is wrong with a broken link.
//
// Two payloads, one link form (docs/SCENARIO-NOTES.md, Share links): the UTF-8 text itself,
// or, when it is shorter, the byte 0xFF followed by the text compressed with raw DEFLATE
// (RFC 1951, the browser's CompressionStream('deflate-raw')). 0xFF never occurs in UTF-8, so
// the first byte tells the two apart and every link written before compression still opens.

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

/** The first byte of a compressed payload: a byte that UTF-8 text never contains. */
export const COMPRESSED = 0xff;

function base64urlBytes(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function through(bytes, stream) {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

/**
 * The shortest payload of `text`: the compressed form when the browser can compress and it
 * is shorter, else the plain one (a short scenario stays readable in the address bar).
 */
export async function encodeScenarioShort(text) {
  const plain = encodeScenario(text);
  if (typeof CompressionStream !== 'function') return plain;
  try {
    const packed = await through(new TextEncoder().encode(text), new CompressionStream('deflate-raw'));
    const withMark = new Uint8Array(packed.length + 1);
    withMark[0] = COMPRESSED;
    withMark.set(packed, 1);
    const short = base64urlBytes(withMark);
    return short.length < plain.length ? short : plain;
  } catch {
    return plain;
  }
}

/** The scenario text of a payload in either form (see the top of this file). Throws like decodeScenario. */
export async function decodeScenarioAny(data) {
  let bytes;
  try {
    return decodeScenario(data);
  } catch (err) {
    if (!/UTF-8/.test(err.message)) throw err;
    const padded = data.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (data.length % 4)) % 4);
    bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    if (bytes[0] !== COMPRESSED) throw err;
  }
  if (typeof DecompressionStream !== 'function') {
    throw new Error('the link is compressed and this browser cannot decompress it (it has no DecompressionStream)');
  }
  let unpacked;
  try {
    unpacked = await through(bytes.subarray(1), new DecompressionStream('deflate-raw'));
  } catch {
    throw new Error('the link is neither UTF-8 text nor valid compressed data (deflate-raw): it may have been cut short');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(unpacked);
  } catch {
    throw new Error('the link\'s compressed data does not hold UTF-8 text');
  }
}

/** The base64url payload of a location hash `#s=…`, or null when the hash is not a share link. */
export function sharePayload(hash) {
  const m = /^#s=(.*)$/s.exec(hash || '');
  return m ? m[1] : null;
}

/** The full share link of `scenario` for a page at `origin` + `pathname` (plain payload). */
export function shareLink(origin, pathname, scenario) {
  return `${origin}${pathname}#s=${encodeScenario(scenario)}`;
}

/** The same link with the shortest payload (compressed when that is shorter). */
export async function shortShareLink(origin, pathname, scenario) {
  return `${origin}${pathname}#s=${await encodeScenarioShort(scenario)}`;
}
