import { defineConfig } from 'vite';
import { resolve } from 'node:path';

// The site is static: index.html (the playground), embed.html (one figure for an iframe),
// article.html (the demo article) at the root, modules in web/, the simulator in web/pkg/
// (built by scripts/build-wasm.sh). base './' lets dist/ be served from any path. The custom
// element is also built as its own entry with a stable name, dist/raft-playground.js, so an
// article can load it with one script tag (see EMBEDDING.md).
const root = import.meta.dirname;

export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    manifest: true,
    rollupOptions: {
      input: {
        main: resolve(root, 'index.html'),
        embed: resolve(root, 'embed.html'),
        article: resolve(root, 'article.html'),
        element: resolve(root, 'web/element.js'),
      },
      preserveEntrySignatures: 'exports-only',
      output: {
        entryFileNames: (chunk) => (chunk.name === 'element' ? 'raft-playground.js' : 'assets/[name]-[hash].js'),
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
