// Import and export: the scenario up to the instant shown (.scn), the trace of every event up to
// it (JSON Lines, {"time_ms", "text"} per event), and a scenario file opened from disk (one that
// `raft-sim fuzz` printed, say), replayed to its end and paused there. A scenario with an error
// is not run; the message names its line and column and the page keeps the run it had.

/** Offer `text` as a file download. */
export function download(name, text, type = 'text/plain') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function wireIO(root, app) {
  const on = (action, fn) => {
    const b = root.querySelector(`[data-action="${action}"]`);
    if (b) b.addEventListener('click', fn);
  };
  on('export-scenario', () => download('raft-playground.scn', app.model.recorded()));
  on('export-trace', () => {
    try {
      // (A run of a node written in JavaScript answers from its worker: a promise.)
      Promise.resolve(app.model.pg.traceJsonl()).then((text) => download('raft-playground-trace.jsonl', text, 'application/x-ndjson'));
    } catch (err) {
      app.showError(`The trace could not be exported: ${err && err.message ? err.message : err}`);
    }
  });
  const input = root.querySelector('[data-control="import"]');
  if (input) {
    input.addEventListener('change', async () => {
      const file = input.files && input.files[0];
      if (!file) return;
      const text = await file.text();
      input.value = '';
      await openScenario(app, text, file.name);
    });
  }
}

/**
 * Replay `text` as a new run, paused at its end; on error say where, and keep the old run.
 * Resolves to whether it was opened.
 */
export async function openScenario(app, text, name = 'The scenario') {
  app.clearError();
  // A hand-in file names its exercise (`# exercise: ID`): open it as that exercise, graded. The
  // classroom is loaded for it if it is not yet.
  if (/^# exercise:/m.test(text) && app.drawers) {
    let classroom = null;
    try {
      classroom = await app.drawers.classroom();
    } catch (err) {
      app.showError(`${name} names an exercise, but the exercises could not be loaded (${err && err.message ? err.message : err}); it is opened as a plain scenario.`);
    }
    if (classroom && classroom.openHandIn(text, name)) return true;
  }
  const wasPaused = app.paused;
  const ok = await app.load(text, { paused: true });
  if (!ok) {
    app.errorEl.textContent = app.errorEl.textContent.replace(/^This scenario/, name);
    // The old run goes on as it was: a failed import does not start or stop time.
    app.setPaused(wasPaused);
  }
  return ok;
}
