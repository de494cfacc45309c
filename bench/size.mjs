// What the page downloads, in gzip -9 bytes, read from the built dist/ (`npx vite build` first;
// vite.config.js writes Vite's manifest, dist/.vite/manifest.json):
//
//   node bench/size.mjs            a table: each entry's first load, then what loads later
//   node bench/size.mjs --json     the same as JSON
//   node bench/size.mjs --check    also compare with the byte budgets below; exit 1 past one
//
// "First load" of an entry page: the HTML, the JS it runs (its script and every chunk that
// script imports statically, following the manifest), the CSS those chunks bring, and the
// WebAssembly modules those chunks fetch at start. "Later": a chunk imported with `import()`
// (and what it brings that the first load does not hold already), or a Web Worker script
// with its own imports and modules. Sizes are of the files as built: deterministic, so the
// budget check can run with the tests.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * Byte budgets, gzip -9, checked by `--check` (and so by `npm test`): what each first load
 * weighs now plus a small margin, so that growth fails the tests. The goals are issue 14's
 * (98 KB is RaftScope's whole page); the budgets come down to them as the module shrinks.
 */
export const BUDGETS = {
  'index.html': { budget: 167_100, goal: 98_000 },
  'embed.html': { budget: 145_900, goal: 80_000 },
  'raft-playground.js': { budget: 144_700, goal: 80_000 },
};

const dist = join(dirname(new URL(import.meta.url).pathname), '..', 'dist');

export function gz(file) {
  return gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
}

export function measure() {
  const manifestPath = join(dist, '.vite', 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`no ${manifestPath}: run \`npx vite build\` first`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const byFile = new Map(Object.values(manifest).map((c) => [c.file, c]));
  const chunkOf = (key) => manifest[key];

  // The files a JS file references by name: WebAssembly modules (fetched by the glue's init)
  // and worker scripts (started with `new Worker(new URL(…))`, so later, not at load). A
  // worker is built on its own: its files are in dist/assets/ but not in the manifest.
  const assets = new Set(readdirSync(join(dist, 'assets')));
  const refs = (file) => {
    const text = readFileSync(join(dist, file), 'utf8');
    const names = new Set(text.match(/[\w.-]+\.(wasm|js)(?=["'`])/g) || []);
    const wasm = [];
    const workers = [];
    const scripts = [];
    for (const name of names) {
      if (!assets.has(name) || `assets/${name}` === file) continue;
      if (name.endsWith('.wasm')) wasm.push(`assets/${name}`);
      else if (!byFile.get(`assets/${name}`)?.isEntry && /worker/i.test(name) && text.includes('Worker')) workers.push(`assets/${name}`);
      // A script built on its own (Vite's `?worker&url`) that the page loads later with a
      // script element: the "Your node" editor.
      else if (!byFile.has(`assets/${name}`)) scripts.push(`assets/${name}`);
    }
    return { wasm, workers, scripts };
  };

  // The static closure of a chunk: itself, its static imports (recursively), their CSS and
  // the WebAssembly they fetch at start; plus the lazy edges met on the way.
  const closure = (startKeys) => {
    const files = new Set();
    const lazy = new Set();
    const workers = new Set();
    const scripts = new Set();
    const seen = new Set();
    const visit = (key) => {
      if (seen.has(key)) return;
      seen.add(key);
      const c = chunkOf(key);
      if (!c) return;
      files.add(c.file);
      for (const css of c.css || []) files.add(css);
      const r = refs(c.file);
      for (const w of r.wasm) files.add(w);
      for (const w of r.workers) workers.add(w);
      for (const sc of r.scripts) scripts.add(sc);
      for (const i of c.imports || []) visit(i);
      for (const d of c.dynamicImports || []) lazy.add(d);
    };
    startKeys.forEach(visit);
    return { files, lazy, workers, scripts };
  };

  const sum = (files) => [...files].reduce((n, f) => n + gz(f), 0);
  const entries = [];
  const later = new Map();
  for (const [key, c] of Object.entries(manifest)) {
    if (!c.isEntry) continue;
    const page = key.endsWith('.html') ? key : basename(c.file);
    const first = closure([key]);
    if (key.endsWith('.html')) first.files.add(key);
    const files = [...first.files].sort();
    entries.push({ entry: page, bytes: sum(first.files), files: files.map((f) => ({ file: f, bytes: gz(f) })) });
    // What this entry may load later, each measured beyond the first load.
    for (const d of first.lazy) {
      const l = closure([d]);
      const extra = [...l.files].filter((f) => !first.files.has(f));
      const name = chunkOf(d).name || d;
      if (!later.has(name)) later.set(name, { name, kind: 'import()', bytes: extra.reduce((n, f) => n + gz(f), 0), files: extra.sort() });
    }
    // Workers started by the first load's scripts, or by a chunk it imports later (the
    // classroom starts the search's workers).
    const workers = new Set(first.workers);
    for (const d of first.lazy) for (const w of closure([d]).workers) workers.add(w);
    for (const w of workers) {
      const wasm = refs(w).wasm.filter((f) => !first.files.has(f));
      const files = [w, ...wasm];
      const name = basename(w).replace(/-[\w-]{8}\.js$/, '');
      if (!later.has(name)) later.set(name, { name, kind: 'worker', bytes: files.reduce((n, f) => n + gz(f), 0), files });
    }
    for (const sc of first.scripts) {
      const name = basename(sc).replace(/-[\w-]{8}\.js$/, '');
      if (!later.has(name)) later.set(name, { name, kind: 'script', bytes: gz(sc), files: [sc] });
    }
  }
  entries.sort((a, b) => a.entry.localeCompare(b.entry));
  return { entries, later: [...later.values()].sort((a, b) => a.name.localeCompare(b.name)) };
}

const kb = (n) => `${(n / 1000).toFixed(1)} KB`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  let m;
  try {
    m = measure();
  } catch (e) {
    console.error(`size: ${e.message}`);
    process.exit(2);
  }
  if (args.includes('--json')) {
    console.log(JSON.stringify(m, null, 2));
  } else {
    console.log('first load (gzip -9):');
    for (const e of m.entries) {
      console.log(`  ${e.entry.padEnd(22)} ${kb(e.bytes).padStart(9)}   ${e.files.map((f) => `${basename(f.file)} ${kb(f.bytes)}`).join(', ')}`);
    }
    console.log('loaded later, on demand (gzip -9, beyond the first load):');
    for (const l of m.later) {
      console.log(`  ${l.name.padEnd(22)} ${kb(l.bytes).padStart(9)}   ${l.kind}: ${l.files.map((f) => basename(f)).join(', ')}`);
    }
  }
  if (args.includes('--check')) {
    let over = 0;
    for (const [entry, { budget, goal }] of Object.entries(BUDGETS)) {
      const e = m.entries.find((x) => x.entry === entry);
      if (!e) {
        console.log(`size: ${entry}: not built`);
        over++;
      } else if (e.bytes > budget) {
        console.log(`size: ${entry}: ${e.bytes} bytes, over its budget of ${budget} (goal ${goal})`);
        over++;
      } else {
        console.log(`size: ${entry}: ${e.bytes} bytes, within its budget of ${budget} (goal ${goal}${e.bytes <= goal ? ', met' : ''})`);
      }
    }
    process.exit(over ? 1 : 0);
  }
}
