// The counterexample search, off the page's thread: the same WebAssembly simulator, one seed
// at a time, so the page hears of progress after every seed and can stop the search by
// terminating the worker.
//
// In:  {type: 'search', bug, from, step, max}: seeds from, from+step, … up to max.
// Out: {type: 'ready'} once loaded; {type: 'progress', seed} after each seed without a finding;
//      {type: 'found', finding, stop} (finding shrunk, see fuzzSeed; stop: untilViolation of its
//      scenario, or {error}) and it stops; {type: 'done'} at max; {type: 'error', message}.
//
// It loads the full module (web/pkg/raft_wasm_full.js): the fuzzer, the shrinker and the replay
// to a violation are not in the light module the page starts with.

import init, { fuzzSeed, untilViolation } from './pkg/raft_wasm_full.js';

const ready = init().then(
  () => self.postMessage({ type: 'ready' }),
  (err) => {
    self.postMessage({ type: 'error', message: (err && err.message) || String(err) });
    throw err;
  },
);
ready.catch(() => {}); // reported above; a search asked for later fails with the same error

self.onmessage = async (e) => {
  const msg = e.data;
  if (msg.type !== 'search') return;
  try {
    await ready;
    for (let seed = msg.from; seed <= msg.max; seed += msg.step) {
      const finding = fuzzSeed(seed, msg.bug);
      if (finding) {
        let stop;
        try {
          stop = untilViolation(finding.scenario);
        } catch (err) {
          stop = { error: (err && err.message) || String(err) };
        }
        self.postMessage({ type: 'found', finding, stop });
        return;
      }
      self.postMessage({ type: 'progress', seed });
    }
    self.postMessage({ type: 'done' });
  } catch (err) {
    self.postMessage({ type: 'error', message: (err && err.message) || String(err) });
  }
};
