import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    mod: 'js/mod.ts',
    testing: 'js/testing/mod.ts',
    sqlite: 'adapters/sqlite/mod.ts',
    // one entry per runtime engine, built to dist/sqlite/<runtime>.js
    'sqlite/bun': 'adapters/sqlite/bun.ts',
    'sqlite/deno': 'adapters/sqlite/deno.ts',
    postgres: 'adapters/postgres/mod.ts',
    indexeddb: 'adapters/indexeddb/mod.ts',
    nats: 'adapters/nats/mod.ts',
  },
  // runtime modules of the adapters stay imports: the host provides them
  external: [/^node:/, /^bun:/],
  format: ['esm'],
  target: 'es2022',
  platform: 'neutral',
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
});
