import { copyFileSync, existsSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

const library: Options = {
  entry: {
    mod: 'js/mod.ts',
    kit: 'js/kit/mod.ts',
    sync: 'js/sync/mod.ts',
    saga: 'js/saga/mod.ts',
    timetravel: 'js/timetravel/mod.ts',
    protect: 'js/protect/mod.ts',
    // node:crypto's synchronous AES-GCM for whizbang/protect (Node, Bun, Deno)
    'protect/node': 'js/protect/node.ts',
    // encryption at rest for replicas: an entry of its own, so whizbang/protect stays in its budget
    'protect/at-rest': 'js/protect/at-rest.ts',
    trace: 'js/trace/mod.ts',
    // statically imports @opentelemetry/api (an optional peer): an entry of its own
    'trace/otel': 'js/trace/otel.ts',
    wasm: 'js/wasm/mod.ts',
    // whizbang/wasm's runtime entries (export conditions), built to dist/wasm/<runtime>.js
    'wasm/bun': 'js/wasm/bun.ts',
    'wasm/deno': 'js/wasm/deno.ts',
    'wasm/node': 'js/wasm/node.ts',
    // imports react (an optional peer), which stays an import
    react: 'js/react/mod.ts',
    testing: 'js/testing/mod.ts',
    conformance: 'js/conformance/mod.ts',
    sqlite: 'adapters/sqlite/mod.ts',
    // one entry per runtime engine, built to dist/sqlite/<runtime>.js
    'sqlite/bun': 'adapters/sqlite/bun.ts',
    'sqlite/deno': 'adapters/sqlite/deno.ts',
    // Cloudflare Workers: Durable Objects' SQLite storage and D1, no Node module reached
    cloudflare: 'adapters/cloudflare/mod.ts',
    postgres: 'adapters/postgres/mod.ts',
    indexeddb: 'adapters/indexeddb/mod.ts',
    nats: 'adapters/nats/mod.ts',
    // Node, Bun and Deno (the `node` condition of whizbang/nats): brings @nats-io/transport-node
    'nats/node': 'adapters/nats/node.ts',
    rabbitmq: 'adapters/rabbitmq/mod.ts',
    // Node, Bun and Deno (the `node` condition of whizbang/rabbitmq): brings the AMQP TCP client
    'rabbitmq/node': 'adapters/rabbitmq/node.ts',
  },
  // runtime modules of the adapters and of whizbang/wasm's Node entry stay imports, as written:
  // the host provides them (tsup would otherwise drop the `node:` that Deno needs)
  external: [/^node:/, /^bun:/],
  removeNodeProtocol: false,
  format: ['esm'],
  target: 'es2022',
  platform: 'neutral',
  dts: true,
  // no source maps: dist/ is readable ES2022 as it is, and maps embedding the source were most of
  // the package's size
  sourcemap: false,
  // the language-service plugin is built beside the library (below), maybe first
  clean: ['!ts-plugin.cjs'],
  splitting: true,
  treeshake: true,
  // the WebAssembly core is in the chunks already (js/wasm/embedded.ts, made by the wasm build)
  onSuccess: async () => {
    // the component for hosts that are not JavaScript, with its WIT, when it was built
    if (existsSync('core-wasm/build/whizbang-component.wasm')) {
      copyFileSync('core-wasm/build/whizbang-component.wasm', 'dist/whizbang-component.wasm');
      copyFileSync('core-wasm/wit/whizbang.wit', 'dist/whizbang.wit');
    }
  },
};

// the `whizbang` command (package.json `bin`), for Node, Bun and Deno. Its argument parser and
// progress bar are bundled into it: no dependency of the library, never in a browser bundle
const command: Options = {
  entry: { cli: 'cli/main.ts' },
  external: [/^node:/, /^bun:/],
  removeNodeProtocol: false,
  noExternal: ['commander', 'cli-progress'],
  // cli-progress is CommonJS and requires Node's modules
  banner: {
    js: "import { createRequire as __cliRequire } from 'node:module';\nconst require = __cliRequire(import.meta.url);",
  },
  format: ['esm'],
  target: 'es2022',
  platform: 'node',
  dts: false,
  sourcemap: false,
  clean: false,
  splitting: true,
  treeshake: true,
};

// whizbang/ts-plugin, the TypeScript language-service plugin: CommonJS, because tsserver loads
// plugins with require(), and `module.exports` is the factory itself (cjsInterop, which needs
// `splitting`; rollup's treeshake would break its rewrite). It uses the TypeScript module tsserver
// hands it: `typescript` is never imported at run time. Its types are ts-plugin/index.d.cts (the
// library's declaration build deletes every .d.cts in dist/ when it starts, whenever that is)
const tsPlugin: Options = {
  entry: { 'ts-plugin': 'ts-plugin/mod.ts' },
  external: ['typescript'],
  format: ['cjs'],
  cjsInterop: true,
  target: 'es2022',
  platform: 'node',
  dts: false,
  sourcemap: false,
  clean: false,
  splitting: true,
  treeshake: false,
};

export default defineConfig([library, command, tsPlugin]);
