/**
 * The playground's Vite config: the page imports the library from source (../js, ../adapters), so
 * the whole repository is served; the WebAssembly core is an asset the loader's URL points to.
 * `virtual:whizbang-domains` is the page's list of domains: the two samples here; `whizbang
 * devtools --app <module>` adds a plugin (run first) that answers it with the user's app instead.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));

const DOMAINS = 'virtual:whizbang-domains';

/** The sample domains as `virtual:whizbang-domains`. */
function sampleDomains(): Plugin {
  return {
    name: 'whizbang-sample-domains',
    resolveId: (id) => (id === DOMAINS ? `\0${DOMAINS}` : undefined),
    load: (id) =>
      id === `\0${DOMAINS}`
        ? `export { domains } from ${JSON.stringify(`${root}src/domains/samples.ts`)};`
        : undefined,
  };
}

export default defineConfig({
  plugins: [sampleDomains()],
  root,
  base: './',
  logLevel: 'warn',
  server: { host: '127.0.0.1', fs: { allow: [repo] } },
  preview: { host: '127.0.0.1' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: true },
  worker: { format: 'es' },
});
