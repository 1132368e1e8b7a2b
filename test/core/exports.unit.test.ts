/**
 * One source of truth for exports: `jsr.json`, `package.json` and `tsup.config.ts` name the same
 * entry points, and the public module exports only what it means to. A package.json export may
 * add runtime conditions (`bun`, `deno`, `node`) before its `default`: each is an entry of its own,
 * beside the jsr.json source, exporting the same names (JSR has no conditions: it serves the
 * source to every runtime).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as mod from '../../js/mod.ts';
import tsupConfig from '../../tsup.config.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string): string => readFileSync(root + file, 'utf8');

/** A package.json export: "types" first, then conditions in the order a resolver tries them. */
type PackageTarget = Readonly<Record<string, string>>;
const pkg = JSON.parse(read('package.json')) as {
  exports: Record<string, PackageTarget>;
  files: string[];
  bin?: Record<string, string>;
};
const jsr = JSON.parse(read('jsr.json')) as {
  exports: Record<string, string>;
  publish?: { include?: string[]; exclude?: string[] };
};

/**
 * npm-only subpaths: none of JSR's business. `./ts-plugin` is a TypeScript language-service plugin
 * that tsserver loads with require() from node_modules: CommonJS, from ts-plugin/ (not js/).
 */
const NPM_ONLY: Readonly<Record<string, PackageTarget>> = {
  './ts-plugin': { types: './ts-plugin/index.d.cts', default: './dist/ts-plugin.cjs' },
};
const NPM_ONLY_SOURCES: Readonly<Record<string, string>> = { 'ts-plugin': 'ts-plugin/mod.ts' };

/** Conditions that name a runtime, each served by an entry of its own. */
const RUNTIMES = ['bun', 'deno', 'node'];

/** `./js/mod.ts` and `js/mod.ts` are the same file. */
const clean = (path: string): string => path.replace(/^\.\//, '');

/** The output name of a built file: `./dist/wasm/node.js` -> `wasm/node`. */
const builtName = (target: string | undefined): string | undefined =>
  /^\.\/dist\/(.+)\.js$/.exec(target ?? '')?.[1];

/** The runtime conditions of an export, and the condition every other resolver ends on. */
function conditionsOf(target: PackageTarget): { runtimes: string[]; last: string } {
  const keys = Object.keys(target);
  return { runtimes: keys.slice(1, -1), last: keys[keys.length - 1] ?? '' };
}

/** tsup's entries: output name -> source file. */
function tsupEntries(): Record<string, string> {
  const config = tsupConfig as unknown;
  const options = Array.isArray(config) ? config : [config];
  const entries: Record<string, string> = {};
  for (const option of options) {
    const entry = (option as { entry?: unknown }).entry;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new Error('tsup.config.ts: give `entry` as an object { outputName: sourceFile }.');
    }
    for (const [name, source] of Object.entries(entry)) entries[name] = clean(String(source));
  }
  return entries;
}

/** The output name a subpath builds to: "." -> "mod", "./sqlite" -> "sqlite". */
const nameOfSubpath = (subpath: string): string =>
  subpath === '.' ? 'mod' : subpath.replace(/^\.\//, '');

/**
 * The output name a source builds to, its path below js/ or adapters/ less a final /mod:
 * js/mod.ts -> mod, js/x.ts -> x, <dir>/x/mod.ts -> x, adapters/x/y.ts -> x/y.
 */
function nameOfSource(source: string): string {
  const parts = clean(source).replace(/\.ts$/, '').split('/').slice(1);
  if (parts.length > 1 && parts[parts.length - 1] === 'mod') parts.pop();
  return parts.join('/');
}

// A publish pattern as a RegExp: "**" then "/" is any number of folders, "*" any part of a name.
function glob(pattern: string): RegExp {
  const literal = (part: string): string =>
    part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
  return new RegExp(`^${pattern.split('**/').map(literal).join('(?:.*/)?')}$`);
}

describe('entry points', () => {
  const entries = tsupEntries();

  it('jsr.json and package.json export the same subpaths, but for the npm-only ones', () => {
    const npm = Object.keys(pkg.exports).filter((subpath) => !(subpath in NPM_ONLY));
    expect(npm.sort()).toEqual(Object.keys(jsr.exports).sort());
    for (const [subpath, target] of Object.entries(NPM_ONLY)) {
      expect(pkg.exports[subpath], subpath).toEqual(target);
      const name = nameOfSubpath(subpath);
      expect(entries[name], `tsup entry "${name}"`).toBe(NPM_ONLY_SOURCES[name]);
      expect(jsr.exports[subpath], `${subpath} is not on JSR`).toBeUndefined();
    }
  });

  const include = (jsr.publish?.include ?? ['**']).map(glob);
  const exclude = (jsr.publish?.exclude ?? []).map(glob);
  const published = (file: string): boolean =>
    existsSync(root + file) &&
    include.some((g) => g.test(file)) &&
    !exclude.some((g) => g.test(file));

  it('every jsr.json target exists and is published', () => {
    for (const [subpath, target] of Object.entries(jsr.exports)) {
      expect(published(clean(target)), `${subpath} -> ${target}`).toBe(true);
    }
  });

  it('every package.json target is built by tsup from the jsr.json source', () => {
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      if (subpath in NPM_ONLY) continue;
      const { runtimes, last } = conditionsOf(target);
      expect(Object.keys(target)[0], `${subpath}: "types" must come first`).toBe('types');
      expect(['import', 'default'], `${subpath}: "import" or "default" must come last`).toContain(
        last,
      );
      const name = builtName(target[last]);
      expect(name, `${subpath}: ${last} ${target[last]}`).toBeDefined();
      expect(target.types).toBe(`./dist/${name}.d.ts`);
      expect(entries[name!], `tsup entry "${name}"`).toBe(clean(jsr.exports[subpath] ?? ''));
      expect(nameOfSubpath(subpath)).toBe(name);
      expect(nameOfSource(entries[name!]!)).toBe(name);
      for (const runtime of runtimes) {
        expect(RUNTIMES, `${subpath}: condition "${runtime}"`).toContain(runtime);
        // the runtime's entry sits beside the jsr.json source, named for the runtime
        expect(target[runtime]).toBe(`./dist/${name}/${runtime}.js`);
        const source = entries[`${name}/${runtime}`];
        expect(source, `tsup entry "${name}/${runtime}"`).toBeDefined();
        expect(nameOfSource(source!)).toBe(`${name}/${runtime}`);
        expect(published(source!), `${subpath} (${runtime}) -> ${source}`).toBe(true);
      }
    }
  });

  it("a runtime's entry exports the names its subpath's types describe", async () => {
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      const { runtimes } = conditionsOf(target);
      if (runtimes.length === 0) continue;
      const names = Object.keys(await import(root + clean(jsr.exports[subpath] ?? ''))).sort();
      for (const runtime of runtimes) {
        const entry = entries[builtName(target[runtime]) ?? ''] ?? '';
        expect(Object.keys(await import(root + entry)).sort(), entry).toEqual(names);
      }
    }
  });

  it('tsup builds nothing that is not exported (or a bin), and dist is in the npm package', () => {
    const exported = Object.values(pkg.exports).flatMap((t) =>
      Object.entries(t)
        .filter(([condition]) => condition !== 'types')
        .map(([, file]) => builtName(file) ?? /^\.\/dist\/(.+)\.cjs$/.exec(file)?.[1]),
    );
    // the `whizbang` command is built too, from cli/, and named by package.json `bin`
    for (const file of Object.values(pkg.bin ?? {})) exported.push(builtName(`./${file}`));
    // an entry may be both a subpath of its own and a runtime condition of another (nats/node)
    expect(Object.keys(entries).sort()).toEqual([...new Set(exported)].sort());
    expect(pkg.files).toContain('dist');
  });
});

describe('js/mod.ts', () => {
  const source = read('js/mod.ts');
  const runtimeNames = Object.keys(mod).sort();

  /** Runtime re-exports of mod.ts: exported name -> [local name, module]. */
  function reexports(): Map<string, readonly [string, string]> {
    const found = new Map<string, readonly [string, string]>();
    for (const m of source.matchAll(/export\s*\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
      for (const spec of m[1]!.split(',')) {
        const [local, exported = local] = spec.trim().split(/\s+as\s+/);
        if (local) found.set(exported!, [local, m[2]!]);
      }
    }
    return found;
  }

  it('only re-exports, by name', () => {
    const statements = source
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '')
      .split(';')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    for (const statement of statements) {
      expect(statement).toMatch(/^export (type )?\{[^}]*\} from '\.\/[^']+\.ts'$/);
    }
    expect([...reexports().keys()].sort()).toEqual(runtimeNames);
  });

  it('exports no name starting with _', () => {
    expect(runtimeNames.filter((name) => name.startsWith('_'))).toEqual([]);
  });

  it('exports functions, classes and constants only', () => {
    for (const [name, value] of Object.entries(mod)) {
      const ok =
        typeof value === 'function' ||
        (typeof value === 'object' && value !== null ? Object.isFrozen(value) : true);
      expect(ok, `${name} is a mutable object`).toBe(true);
    }
    const where = new URL('../../js/', import.meta.url);
    for (const [exported, [local, from]] of reexports()) {
      const file = readFileSync(new URL(from, where), 'utf8');
      const declaration = new RegExp(
        `^export (?:(?:async )?function\\*? |(?:abstract )?class |const )${local}\\b`,
        'm',
      );
      expect(declaration.test(file), `${exported} in ${from}: function, class or const`).toBe(true);
      expect(file, `${from} exports a mutable binding`).not.toMatch(/^export (?:let|var) /m);
    }
  });
});
