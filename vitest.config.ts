import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

// A test file whose first line is `// @runtimes …` without `node` (say, one for bun:sqlite) runs
// only under the runtimes it names, through test/runtimes/run.mjs.
const MARKER = /^\/\/ @runtimes((?: [\w-]+)+)\s*$/;
const testDir = fileURLToPath(new URL('./test/', import.meta.url));

function runtimesOf(file: string): string[] | undefined {
  const firstLine = readFileSync(testDir + file, 'utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/, 1);
  return MARKER.exec(firstLine[0] ?? '')?.[1]
    ?.trim()
    .split(' ');
}

// `whizbang/<sub>` -> the source file jsr.json publishes it from, for code written against the
// package's name (the third-party driver fixture)
const jsr = JSON.parse(readFileSync(new URL('./jsr.json', import.meta.url), 'utf8')) as {
  exports: Record<string, string>;
};
const packageAlias = Object.entries(jsr.exports).map(([subpath, target]) => ({
  find: new RegExp(`^whizbang${subpath.slice(1)}$`),
  replacement: fileURLToPath(new URL(target, import.meta.url)),
}));

const notForNode = readdirSync(testDir, { recursive: true, encoding: 'utf8' })
  .map((file) => file.replaceAll('\\', '/'))
  .filter((file) => file.endsWith('.test.ts') && runtimesOf(file)?.includes('node') === false)
  .map((file) => `test/${file}`);

export default defineConfig({
  resolve: { alias: packageAlias },
  test: {
    include: ['test/**/*.unit.test.ts', 'test/**/*.int.test.ts'],
    exclude: [...configDefaults.exclude, ...notForNode],
    globalSetup: ['./test/support/wasm-setup.mjs'],
    typecheck: {
      enabled: true,
      include: ['test/types/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
      // the project's own TypeScript: a tool's nested TypeScript may own `node_modules/.bin/tsc`
      checker: fileURLToPath(new URL('./node_modules/typescript/bin/tsc', import.meta.url)),
    },
    reporters: process.env.CI ? ['default'] : ['dot'],
    testTimeout: 20_000,
  },
});
