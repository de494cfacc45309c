import { defineConfig } from 'vite';
import { resolve } from 'node:path';

// The site is static: index.html (the playground), embed.html (one figure for an iframe),
// article.html (the demo article) at the root, modules in web/, the simulator in web/pkg/
// (built by scripts/build-wasm.sh). base './' lets dist/ be served from any path. The custom
// element is also built as its own entry with a stable name, dist/raft-playground.js, so an
// article can load it with one script tag (see EMBEDDING.md).
const root = import.meta.dirname;

// Every page starts a light WebAssembly module (the playground's web/pkg/raft_wasm_bg.wasm, a
// figure's raft_wasm_figure_bg.wasm) as soon as its script runs; a preload hint lets the browser fetch it beside the scripts instead of after
// them (one round trip less before the first drawing on a slow connection). The search's
// module (raft_wasm_full) is not preloaded: it loads when the search is opened.
function preloadWasm() {
  return {
    name: 'preload-light-wasm',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        // The playground starts the playground's module; embed.html and the article, figures'.
        const name = ctx.filename.endsWith('index.html') ? 'raft_wasm_bg' : 'raft_wasm_figure_bg';
        const wasm = Object.keys(ctx.bundle || {}).find((f) => new RegExp(`(^|/)${name}-[\\w-]+\\.wasm$`).test(f));
        if (!wasm) return html;
        return [{
          tag: 'link',
          attrs: { rel: 'preload', href: `./${wasm}`, as: 'fetch', type: 'application/wasm', crossorigin: '' },
          injectTo: 'head',
        }];
      },
    },
  };
}

export default defineConfig({
  base: './',
  plugins: [preloadWasm()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No modulepreload polyfill (0.4 KB gzip in every first load): it only speeds up loading in
    // browsers without <link rel="modulepreload"> (Safari before 17), which load the same
    // modules without it, one round trip later.
    modulePreload: { polyfill: false },
    manifest: true,
    rollupOptions: {
      input: {
        main: resolve(root, 'index.html'),
        embed: resolve(root, 'embed.html'),
        article: resolve(root, 'article.html'),
        element: resolve(root, 'web/element.js'),
        // A run of a node written in JavaScript (web/your-node/runtime.js): an entry of its own
        // with a stable name, which main.js imports by URL only when a `protocol js` scenario is
        // opened (an import() Vite could see would add its preload helper to the first load).
        'your-node-runtime': resolve(root, 'web/your-node/runtime.js'),
      },
      preserveEntrySignatures: 'exports-only',
      output: {
        entryFileNames: (chunk) =>
          chunk.name === 'element' ? 'raft-playground.js' : chunk.name === 'your-node-runtime' ? 'assets/your-node-runtime.js' : 'assets/[name]-[hash].js',
      },
    },
  },
  server: { port: 5173, strictPort: false },
  preview: { port: 4173, strictPort: true },
  test: {
    include: ['tests/web/unit/**/*.test.js'],
    environment: 'node',
  },
});
