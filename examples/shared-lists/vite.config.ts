/**
 * The client's Vite config. Outside this repository it needs only the React plugin; here,
 * `whizbang` and its entries resolve to the sources jsr.json publishes, as if installed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const repo = new URL('../../', import.meta.url);
const jsr = new URL('jsr.json', repo);
// in this repository: each published entry (jsr.json names them) points at its source
const { exports } = (existsSync(jsr) ? JSON.parse(readFileSync(jsr, 'utf8')) : { exports: {} }) as {
  exports: Record<string, string>;
};

export default defineConfig({
  root,
  base: './',
  logLevel: 'warn',
  plugins: [react()],
  resolve: {
    alias: Object.entries(exports).map(([subpath, source]) => ({
      find: new RegExp(`^whizbang${subpath.slice(1)}$`),
      replacement: fileURLToPath(new URL(source, repo)),
    })),
  },
  // its own dependency cache (next to this file), apart from other Vite servers of the repository
  cacheDir: 'node_modules/.vite',
  // bundled before the first page load, so the page is not reloaded when it first imports them
  optimizeDeps: {
    include: [
      'react',
      'react/jsx-runtime',
      'react-dom/client',
      '@nats-io/nats-core',
      '@nats-io/jetstream',
    ],
  },
  server: { host: '127.0.0.1', fs: { allow: [fileURLToPath(repo)] } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
});
