/**
 * The lazy boundary of the IndexedDB segment store, checked on the source's module graph: what
 * `whizbang/indexeddb` imports statically (what opening a driver without `segments` loads) holds
 * no module of the segment store; those are reached only through one `import()` of
 * segment-open.ts, whose own static imports hold them all. A static import creeping back fails
 * here before the size budget notices. (Type-only imports are erased: they do not count.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = 'adapters/indexeddb';
const ENTRY = `${dir}/mod.ts`;
const DOOR = `${dir}/segment-open.ts`;
const LOADER = `${dir}/segment-load.ts`;
/**
 * The segment store's modules, loaded only with segments: every module of the adapter named for
 * sealing or segments (a new one is counted as it comes), but the loader.
 */
const SEGMENT_MODULES = readdirSync(join(root, dir))
  .filter((f) => /^(seal|segment|unseal)/.test(f) && f.endsWith('.ts'))
  .map((f) => `${dir}/${f}`)
  .filter((f) => f !== LOADER && f !== DOOR);

const resolveFrom = (file: string, spec: string): string =>
  relative(root, resolve(dirname(join(root, file)), spec)).replaceAll('\\', '/');

/** The relative modules `file` imports at run time, statically and through `import()`. */
function importsOf(file: string): { static: string[]; dynamic: string[] } {
  const text = readFileSync(join(root, file), 'utf8');
  const statics = [
    // `import … from` and `export … from`, but not `import type` / `export type` (erased);
    // `import { type A, b }` counts (verbatimModuleSyntax keeps it)
    ...text.matchAll(/^\s*(import|export)\s+(?!type\b)[^'";]*?\bfrom\s*'([^']+)'/gms),
  ].map((m) => m[2]!);
  const bare = [...text.matchAll(/^import\s+'([^']+)'/gm)].map((m) => m[1]!);
  const dynamic = [...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!);
  const local = (specs: string[]) =>
    specs.filter((s) => s.startsWith('.')).map((s) => resolveFrom(file, s));
  return { static: local([...statics, ...bare]), dynamic: local(dynamic) };
}

/** Every module `start` reaches by static imports (itself included). */
function staticClosure(start: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const next of importsOf(file).static) visit(next);
  };
  visit(start);
  return seen;
}

const inAdapter = (files: Iterable<string>): string[] =>
  [...files].filter((f) => f.startsWith(`${dir}/`)).sort();

describe('IndexedDB: the segment store loads only with segments', () => {
  it('the parser sees the imports it must (value, type-only, inline type, dynamic)', () => {
    for (const known of ['segments', 'seal', 'sealed-index', 'segment-reads', 'unseal'])
      expect(SEGMENT_MODULES).toContain(`${dir}/${known}.ts`);
    const driver = importsOf(`${dir}/driver.ts`);
    expect(driver.static).toContain(LOADER);
    // driver.ts names sealed-index.ts for a type only: erased, so not a static import
    expect(driver.static).not.toContain(`${dir}/sealed-index.ts`);
    expect(importsOf(DOOR).static).toContain(`${dir}/segments.ts`);
    expect(importsOf(LOADER).dynamic).toEqual([DOOR]);
  });

  it("whizbang/indexeddb's static imports hold no module of the segment store", () => {
    const opened = staticClosure(ENTRY);
    expect(opened.has(`${dir}/driver.ts`)).toBe(true);
    expect(inAdapter(opened).filter((f) => SEGMENT_MODULES.includes(f) || f === DOOR)).toEqual([]);
  });

  it('segment-open.ts is the one door: one import() reaches it, and it holds the segment store', () => {
    const opened = staticClosure(ENTRY);
    const doors = [...opened].flatMap((f) => importsOf(f).dynamic.map((d) => [f, d]));
    expect(doors.filter(([, d]) => d!.startsWith(`${dir}/`))).toEqual([[LOADER, DOOR]]);
    const lazy = staticClosure(DOOR);
    for (const module of SEGMENT_MODULES) expect(lazy.has(module), module).toBe(true);
  });
});
