/**
 * Bundles a Worker for workerd as a Worker build would: the `workerd` and `worker` export
 * conditions, `whizbang/*` from this repository's sources, `cloudflare:` modules left to workerd.
 */
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

// the repository: from this file, or (bundled into the benchmarks' cache) the working directory
const here = fileURLToPath(new URL('../../', import.meta.url));
const root = existsSync(`${here}jsr.json`) ? here : `${process.cwd()}/`;
const jsr = JSON.parse(readFileSync(`${root}jsr.json`, 'utf8')) as {
  exports: Record<string, string>;
};

const builtins = new Set(builtinModules);

// a test Worker's helpers (jest's `expect`) require Node modules by bare name: workerd serves
// them as `node:` modules under `nodejs_compat`, which an ES module can only import
const nodeByBareName: Plugin = {
  name: 'node-by-bare-name',
  setup(b) {
    b.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (!builtins.has(name)) return undefined;
      return args.kind === 'require-call'
        ? { path: name, namespace: 'node-module' }
        : { path: `node:${name}`, external: true };
    });
    b.onLoad({ filter: /.*/, namespace: 'node-module' }, (args) => ({
      contents: `import * as m from 'node:${args.path}'; module.exports = m.default ?? m;`,
      loader: 'js',
    }));
  },
};

// the runtimes shim's `expect` reaches jest's through createRequire, which a Worker lacks
const edgeExpect: Plugin = {
  name: 'edge-expect',
  setup(b) {
    b.onResolve({ filter: /^\.\/expect\.mjs$/ }, (args) =>
      args.importer.includes('runtimes') ? { path: `${root}test/edge/expect.mjs` } : undefined,
    );
  },
};

/** The bundled module's text; `node:` imports are left as imports, for the caller to look for. */
export async function bundleWorker(
  entry: string,
  alias: Record<string, string> = {},
  node = false,
): Promise<string> {
  const packageAlias: Record<string, string> = {};
  for (const [subpath, target] of Object.entries(jsr.exports)) {
    packageAlias[`whizbang${subpath.slice(1)}`] = `${root}${target.slice(2)}`;
  }
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    external: ['cloudflare:*', 'node:*'],
    alias: { ...packageAlias, ...alias },
    plugins: node ? [nodeByBareName, edgeExpect] : [],
    define: node ? { __dirname: '"/"', __filename: '"/worker.js"' } : {},
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}
