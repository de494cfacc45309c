import { defineConfig } from 'vite';

// The page is static: index.html at the root, modules in web/, the simulator in web/pkg/
// (built by scripts/build-wasm.sh). base './' lets dist/ be served from any path.
export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
  server: { port: 5173, strictPort: false },
  preview: { port: 4173, strictPort: true },
  test: {
    include: ['tests/web/unit/**/*.test.js'],
    environment: 'node',
  },
});
