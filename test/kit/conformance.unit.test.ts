/**
 * The conformance suites as a third party uses them: the suites take from the core only what
 * `whizbang` and the other published entries export; the third-party driver fixture imports
 * nothing but the package's entries; and the README shows the fixture's test file as it is.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string): string => readFileSync(join(root, file), 'utf8');
const FIXTURE = 'test/fixtures/third-party-driver';
const SUITES = 'js/conformance';
/** What the suites import besides the core: their test runner and test data. */
const SUITE_PACKAGES = new Set(['vitest', '@faker-js/faker', 'fast-check']);

/** The TypeScript files below `dir`, relative to the root. */
function files(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `${dir}/${f.replaceAll('\\', '/')}`);
}

/** Every module a file names in `import … from`, `export … from`, `import '…'` or `import(…)`. */
function specifiers(file: string): string[] {
  const text = read(file);
  return [
    ...text.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s*'([^']+)'/gms),
    ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
    ...text.matchAll(/^import\s+'([^']+)'/gm),
  ].map((m) => m[1]!);
}

/** A relative specifier of `file` as a path from the root. */
const target = (file: string, spec: string): string =>
  relative(root, resolve(dirname(join(root, file)), spec)).replaceAll('\\', '/');

/** `export { a, type b, c as d } from './x.ts'` of a file: exported name -> module, from the root. */
function reexports(file: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of read(file).matchAll(/export\s+(?:type\s+)?\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
    for (const spec of m[1]!.split(',')) {
      const name = spec
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .pop();
      if (name) found.set(name, target(file, m[2]!));
    }
  }
  return found;
}

const jsr = JSON.parse(read('jsr.json')) as { exports: Record<string, string> };
const entries = new Set(Object.values(jsr.exports).map((p) => p.replace(/^\.\//, '')));

describe('the conformance suites', () => {
  it('take the core only through published entries and the door of whizbang.ts', () => {
    const stray: string[] = [];
    for (const file of files(SUITES)) {
      for (const spec of specifiers(file)) {
        if (!spec.startsWith('.')) {
          if (!SUITE_PACKAGES.has(spec)) stray.push(`${file} -> ${spec}`);
          continue;
        }
        const to = target(file, spec);
        const inside = to.startsWith(`${SUITES}/`);
        if (!inside && !entries.has(to) && file !== `${SUITES}/whizbang.ts`) {
          stray.push(`${file} -> ${to}`);
        }
      }
    }
    expect(stray).toEqual([]);
  });

  it('whizbang.ts passes on only what `whizbang` exports, from the same modules', () => {
    const published = reexports('js/mod.ts');
    const passed = reexports(`${SUITES}/whizbang.ts`);
    expect(passed.size).toBeGreaterThan(0);
    const unpublished = [...passed]
      .filter(([name, module]) => published.get(name) !== module)
      .map(([name, module]) => `${name} from ${module}`);
    expect(unpublished).toEqual([]);
  });
});

describe('the third-party driver fixture', () => {
  it('imports nothing but the package by name, vitest and its own files', () => {
    const allowed = new Set(['whizbang', 'whizbang/kit', 'whizbang/conformance', 'vitest']);
    const stray: string[] = [];
    for (const file of files(FIXTURE)) {
      for (const spec of specifiers(file)) {
        const own = spec.startsWith('./') && target(file, spec).startsWith(`${FIXTURE}/`);
        if (!own && !allowed.has(spec)) stray.push(`${file} -> ${spec}`);
      }
    }
    expect(stray).toEqual([]);
  });

  it('is what the README shows under "Writing a driver of your own"', () => {
    const readme = read('README.md');
    const section = readme.slice(readme.indexOf('## Writing a driver of your own'));
    const block = /```typescript\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(read(`${FIXTURE}/driver.unit.test.ts`));
  });
});
