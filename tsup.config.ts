import { copyFileSync, existsSync } from 'node:fs';
import { defineConfig } from 'tsup';

// The loader finds whizbang.wasm next to itself: in dist/ that is beside the chunks.
const wasmBesideDist = {
  name: 'wasm-beside-dist',
  setup(build: { onLoad: (o: { filter: RegExp }, f: () => { contents: string }) => void }) {
    build.onLoad({ filter: /js[\\/]wasm[\\/]location\.ts$/ }, () => ({
      contents: "export const wasmUrl = new URL('./whizbang.wasm', import.meta.url);",
    }));
  },
};

export default defineConfig({
  entry: {
    mod: 'js/mod.ts',
    kit: 'js/kit/mod.ts',
    sync: 'js/sync/mod.ts',
    saga: 'js/saga/mod.ts',
    timetravel: 'js/timetravel/mod.ts',
    trace: 'js/trace/mod.ts',
    wasm: 'js/wasm/mod.ts',
    // whizbang/wasm's runtime entries (export conditions), built to dist/wasm/<runtime>.js
    'wasm/bun': 'js/wasm/bun.ts',
    'wasm/deno': 'js/wasm/deno.ts',
    'wasm/node': 'js/wasm/node.ts',
    testing: 'js/testing/mod.ts',
    conformance: 'js/conformance/mod.ts',
    sqlite: 'adapters/sqlite/mod.ts',
    // one entry per runtime engine, built to dist/sqlite/<runtime>.js
    'sqlite/bun': 'adapters/sqlite/bun.ts',
    'sqlite/deno': 'adapters/sqlite/deno.ts',
    postgres: 'adapters/postgres/mod.ts',
    indexeddb: 'adapters/indexeddb/mod.ts',
    nats: 'adapters/nats/mod.ts',
    rabbitmq: 'adapters/rabbitmq/mod.ts',
  },
  // runtime modules of the adapters and of whizbang/wasm's Node entry stay imports, as written:
  // the host provides them (tsup would otherwise drop the `node:` that Deno needs)
  external: [/^node:/, /^bun:/],
  removeNodeProtocol: false,
  format: ['esm'],
  target: 'es2022',
  platform: 'neutral',
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  esbuildPlugins: [wasmBesideDist],
  onSuccess: async () => {
    copyFileSync('core-wasm/build/whizbang.wasm', 'dist/whizbang.wasm');
    // the component for hosts that are not JavaScript, with its WIT, when it was built
    if (existsSync('core-wasm/build/whizbang-component.wasm')) {
      copyFileSync('core-wasm/build/whizbang-component.wasm', 'dist/whizbang-component.wasm');
      copyFileSync('core-wasm/wit/whizbang.wit', 'dist/whizbang.wit');
    }
  },
});
