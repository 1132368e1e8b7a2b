/**
 * The shape of the code, checked: imports point down the layers of `js/`, nothing imports in a
 * circle (type-only imports included), adapters and examples reach the core only through the
 * entries `jsr.json` publishes, and no source file outgrows 400 lines.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Folders of `js/`, lowest first: a folder imports its own files and those of lower layers only. */
const LAYERS: ReadonlyArray<readonly string[]> = [
  ['util'],
  ['messages'],
  ['contracts'],
  ['definitions', 'kit', 'wasm'],
  ['memory'],
  ['runtime'],
  ['sync', 'saga', 'trace', 'timetravel', 'testing', 'react', 'protect'],
  ['conformance'],
];
const SOURCE_ROOTS = [
  'js',
  'adapters',
  'cli',
  'ts-plugin',
  'examples',
  'playground/src',
  'core-wasm/assembly',
];

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sources(path));
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const files = SOURCE_ROOTS.flatMap(sources);

/** Every relative module a file names in `import … from`, `export … from` or `import(…)`. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs = [
    ...text.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s*'([^']+)'/gms),
    ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
    ...text.matchAll(/^import\s+'([^']+)'/gm),
  ].map((m) => m[1]!);
  return specs
    .filter((s) => s.startsWith('.'))
    .map((s) => relative(root, resolve(dirname(join(root, file)), s)).replaceAll('\\', '/'));
}

const graph = new Map(files.map((f) => [f, importsOf(f)]));
const jsr = JSON.parse(readFileSync(join(root, 'jsr.json'), 'utf8')) as {
  exports: Record<string, string>;
};
const entries = new Set(Object.values(jsr.exports).map((p) => p.replace(/^\.\//, '')));

function layerOf(file: string): { folder: string; rank: number } | undefined {
  const parts = file.split('/');
  if (parts[0] !== 'js' || parts.length < 3) return undefined; // js/mod.ts sits above them all
  const folder = parts[1]!;
  const rank = LAYERS.findIndex((layer) => layer.includes(folder));
  return { folder, rank };
}

describe('layout', () => {
  it('every folder of js/ has a layer', () => {
    const folders = new Set(files.filter((f) => f.startsWith('js/')).map((f) => layerOf(f)));
    for (const layer of folders)
      if (layer !== undefined) expect(layer.rank, layer.folder).toBeGreaterThanOrEqual(0);
  });

  it('imports in js/ point down the layers', () => {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      const from = layerOf(file);
      if (from === undefined) continue;
      for (const target of targets) {
        const to = layerOf(target);
        if (target === 'js/mod.ts') upward.push(`${file} -> ${target}`);
        if (to === undefined || to.folder === from.folder) continue;
        if (to.rank >= from.rank) upward.push(`${file} -> ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('nothing imports in a circle, type-only imports included', () => {
    // Tarjan's strongly connected components over the file graph
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const circles: string[][] = [];
    let next = 0;
    const visit = (v: string): void => {
      index.set(v, next);
      low.set(v, next++);
      stack.push(v);
      onStack.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!graph.has(w)) continue;
        if (!index.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
      if (low.get(v) === index.get(v)) {
        const component: string[] = [];
        for (;;) {
          const w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
          if (w === v) break;
        }
        if (component.length > 1) circles.push(component.sort());
      }
    };
    for (const file of graph.keys()) if (!index.has(file)) visit(file);
    expect(circles).toEqual([]);
  });

  it('adapters, examples and the playground reach js/ only through published entries', () => {
    const inside: string[] = [];
    for (const [file, targets] of graph) {
      if (file.startsWith('js/') || file.startsWith('core-wasm/')) continue;
      for (const target of targets) {
        if (target.startsWith('js/') && !entries.has(target)) inside.push(`${file} -> ${target}`);
      }
    }
    expect(inside).toEqual([]);
  });

  it('no source file is over 400 lines', () => {
    const long = files
      .map((f) => ({ f, lines: readFileSync(join(root, f), 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > 400)
      .map(({ f, lines }) => `${f}: ${lines}`);
    expect(long).toEqual([]);
  });
});
