/**
 * The app module as `whizbang devtools` serves it from the installed package (no bundler): its
 * files followed (TypeScript's `./x.js` finding `./x.ts`, types stripped), its packages found as
 * Node finds them for ES modules (exports conditions, subpath patterns, `module`), and the
 * imports a browser cannot run refused, naming the file. (The page over such a module, in
 * Chromium from the packed tarball: test/package/devtools.mjs.)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appFiles, importsOf } from '../../cli/commands/app-files.ts';

let dir: string;
const write = (path: string, text: string): void => {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
};
const isLibrary = (s: string): boolean => /^whizbang(\/|$)/.test(s);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'devtools-files-'));
  write('package.json', '{ "type": "module" }');
  write(
    'node_modules/schemas/package.json',
    JSON.stringify({
      exports: {
        '.': {
          types: './x.d.ts',
          require: './main.cjs',
          browser: './browser.js',
          default: './main.js',
        },
        './rules/*': { import: './lib/rules/*.js' },
      },
    }),
  );
  write('node_modules/schemas/browser.js', "export * from './shared.js';");
  write('node_modules/schemas/shared.js', 'export const s = 1;');
  write('node_modules/schemas/lib/rules/max.js', 'export const max = 2;');
  write('node_modules/old/package.json', '{ "module": "esm/index.js", "main": "cjs/index.js" }');
  write('node_modules/old/esm/index.js', 'export default 3;');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('devtools: the app module without a bundler', () => {
  it('follows files and packages, and strips TypeScript', async () => {
    write(
      'src/app.ts',
      [
        "import type { Nothing } from 'types-only';",
        "import { whizbang } from 'whizbang';",
        "import { s } from 'schemas';",
        "import { max } from 'schemas/rules/max';",
        "import old from 'old';",
        "import { add } from './math.js';",
        'export const app: { n: number } = { n: add(s, max, old) };',
      ].join('\n'),
    );
    write(
      'src/math.ts',
      'export const add = (...xs: number[]): number => xs.reduce((a, b) => a + b, 0);',
    );
    const files = await appFiles(join(dir, 'src', 'app.ts'), isLibrary);
    expect(Object.fromEntries(files.imports)).toEqual({
      schemas: join(dir, 'node_modules/schemas/browser.js'),
      'schemas/rules/max': join(dir, 'node_modules/schemas/lib/rules/max.js'),
      old: join(dir, 'node_modules/old/esm/index.js'),
    });
    const app = await files.read(join(dir, 'src', 'app.ts'));
    expect(app).toContain('export const app = {');
    expect(app).not.toContain('types-only');
    // the browser asks for ./math.js; the file is math.ts, served stripped
    const math = await files.read(join(dir, 'src', 'math.js'));
    expect(math).toContain('export const add = (...xs) =>');
    expect(await files.read(join(dir, 'node_modules/schemas/shared.js'))).toBe(
      'export const s = 1;',
    );
    // a file no import reaches is not served
    expect(await files.read(join(dir, 'package.json'))).toBeUndefined();
  });

  it('refuses what a browser cannot import, naming the file', async () => {
    write('app.mjs', "import { readFileSync } from 'node:fs';\nexport const app = {};");
    await expect(appFiles(join(dir, 'app.mjs'), isLibrary)).rejects.toMatchObject({
      code: 'BAD_APP_MODULE',
      message: expect.stringContaining('imports "node:fs"'),
    });
    write('app.mjs', "export * from './domain.mjs';");
    write('domain.mjs', "import { nothing } from 'not-installed';");
    await expect(appFiles(join(dir, 'app.mjs'), isLibrary)).rejects.toMatchObject({
      code: 'BAD_APP_MODULE',
      message: expect.stringMatching(/domain\.mjs imports "not-installed".*npm install/),
    });
  });

  it('reads the imports of a module, leaving comments out', () => {
    const code = [
      '/* import x from "commented"; */',
      '// import y from "also-commented";',
      "import a, { b } from 'a';",
      "export { c } from './c.js';",
      "import './side-effect.js';",
      "const lazy = () => import('lazy');",
      "export * as d from 'd';",
    ].join('\n');
    expect(importsOf(code).sort()).toEqual(['./c.js', './side-effect.js', 'a', 'd', 'lazy']);
  });
});
