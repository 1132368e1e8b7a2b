/**
 * The devtools page the package ships (`npm run build` → dist/devtools/): the playground built with
 * the user's app in place of the samples. The library is left out of the bundle — `whizbang` and
 * `whizbang/<entry>` stay imports, which `whizbang devtools` maps (an import map) to the package's
 * own dist/ files, the same copy the user's module imports — and the app is the module the command
 * serves at `/__whizbang/app.js`. Only the page's own libraries (zod/mini for the forms, the NATS
 * client for `--live` and sync, loaded lazily) are inside; Faker is not: an app's commands have no
 * example to fill.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));

const DOMAINS = 'virtual:whizbang-domains';
const APP = '/__whizbang/app.js';
const FAKER = '@faker-js/faker/locale/en';

/** The library's sources by the package entry that ships them. */
const entries = new Map<string, string>([
  [join(repo, 'js', 'mod.ts'), 'whizbang'],
  ...['kit', 'sync', 'saga', 'timetravel', 'trace', 'wasm'].map((name): [string, string] => [
    join(repo, 'js', name, 'mod.ts'),
    `whizbang/${name}`,
  ]),
  [join(repo, 'adapters', 'indexeddb', 'mod.ts'), 'whizbang/indexeddb'],
]);

/** The library as the package's imports, the app as the command's module, no Faker. */
function devtoolsPage(): Plugin {
  return {
    name: 'whizbang-devtools-page',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === DOMAINS) return `\0${DOMAINS}`;
      if (source === FAKER) return `\0${FAKER}`;
      if (source === APP) return { id: APP, external: true };
      if (importer === undefined || !source.startsWith('.')) return undefined;
      const entry = entries.get(resolve(dirname(importer), source));
      return entry === undefined ? undefined : { id: entry, external: true };
    },
    load(id) {
      if (id === `\0${FAKER}`) return 'export const faker = {};';
      if (id !== `\0${DOMAINS}`) return undefined;
      return [
        `import { app, options } from '${APP}';`,
        `import { appDomain } from ${JSON.stringify(join(root, 'src', 'domains', 'app.ts'))};`,
        'export const domains = [appDomain(app, options)];',
      ].join('\n');
    },
  };
}

export default defineConfig({
  plugins: [devtoolsPage()],
  root,
  base: './',
  logLevel: 'warn',
  build: {
    outDir: join(repo, 'dist', 'devtools'),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
  worker: { format: 'es' },
});
