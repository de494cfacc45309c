// The counterexample search, off the page's thread: the same WebAssembly simulator, one seed
// at a time, so the page hears of progress after every seed and can stop the search by
// terminating the worker.
//
// In:  {type: 'search', bug, from, step, max}: seeds from, from+step, … up to max.
// Out: {type: 'ready'} once loaded; {type: 'progress', seed} after each seed without a finding;
//      {type: 'found', finding} (shrunk, see fuzzSeed) and it stops; {type: 'done'} at max;
//      {type: 'error', message}.

import init, { fuzzSeed } from './pkg/raft_wasm.js';

const ready = init().then(() => self.postMessage({ type: 'ready' }));

self.onmessage = async (e) => {
  const msg = e.data;
  if (msg.type !== 'search') return;
  try {
    await ready;
    for (let seed = msg.from; seed <= msg.max; seed += msg.step) {
      const finding = fuzzSeed(seed, msg.bug);
      if (finding) {
        self.postMessage({ type: 'found', finding });
        return;
      }
      self.postMessage({ type: 'progress', seed });
    }
    self.postMessage({ type: 'done' });
  } catch (err) {
    self.postMessage({ type: 'error', message: (err && err.message) || String(err) });
  }
};
