/**
 * The user's app module as a browser imports it, with no bundler: its files served as they are
 * (TypeScript with its types stripped — by Node's `stripTypeScriptTypes` where it has one, Bun's
 * transpiler on Bun, else the project's own `typescript`), its relative imports followed (`./x.js`
 * finds `./x.ts`, as TypeScript resolves), and the packages it imports (zod, valibot, …) found in
 * its node_modules the way Node finds them (`exports` with the browser/import/default conditions,
 * else `module`, else `main`) and given to the page's import map. Packages must be ES modules.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { CliError } from '../fail.ts';

/** Strips a TypeScript file's types; `file` names it in errors. */
type Strip = (code: string, file: string) => string;

const TS = /\.(ts|mts|tsx|cts)$/;
const CONDITIONS = ['browser', 'import', 'module', 'default'];

/** A way to strip types, found once: Node's, Bun's, or the project's TypeScript. */
async function stripper(project: string): Promise<Strip> {
  const node = (await import('node:module')) as {
    stripTypeScriptTypes?: (code: string, options: { mode: string }) => string;
  };
  if (typeof node.stripTypeScriptTypes === 'function') {
    const strip = node.stripTypeScriptTypes;
    return (code) => strip(code, { mode: 'transform' });
  }
  const bun = (
    globalThis as { Bun?: { Transpiler: new (o: object) => { transformSync(c: string): string } } }
  ).Bun;
  if (bun !== undefined) {
    const transpiler = new bun.Transpiler({ loader: 'ts', trimUnusedImports: true });
    return (code) => transpiler.transformSync(code);
  }
  // the project's TypeScript, else one beside the command (a global install, a workspace)
  const ts = [join(project, 'package.json'), import.meta.url]
    .map((from) => {
      try {
        return createRequire(from)('typescript') as typeof import('typescript');
      } catch {
        return undefined;
      }
    })
    .find((found) => found !== undefined);
  if (ts === undefined) {
    throw new CliError(
      'NOT_FOUND',
      'A TypeScript app module needs a way to strip its types here: npm install -D typescript (or run on Node 22.13+ or Bun, or give the compiled .js module).',
    );
  }
  return (code, file) =>
    ts.transpileModule(code, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
}

/** The file a relative import names: as written, or TypeScript's `.js` for `.ts`, or with an extension added. */
export function fileOf(path: string): string | undefined {
  const candidates = [
    path,
    path.replace(/\.js$/, '.ts'),
    path.replace(/\.mjs$/, '.mts'),
    path.replace(/\.jsx$/, '.tsx'),
    ...['.ts', '.js', '.mjs', '.mts', '/index.ts', '/index.js'].map((e) => path + e),
  ];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** The specifiers a module imports (static, re-exports, dynamic with a string). */
export function importsOf(code: string): string[] {
  const text = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found = new Set<string>();
  for (const m of text.matchAll(
    /(?:^|[;}\n])\s*(?:import|export)\s*(?:type\s+)?(?:[\w$*{}\s,]+?\s*from\s*)?['"]([^'"\n]+)['"]/g,
  ))
    found.add(m[1]!);
  for (const m of text.matchAll(/\bimport\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g)) found.add(m[1]!);
  return [...found];
}

const isRelative = (s: string): boolean => /^\.{1,2}\//.test(s) || s.startsWith('/');
const isUrl = (s: string): boolean => /^(https?|data|blob):/.test(s);
/** `@scope/name/sub` → [`@scope/name`, `./sub`]. */
function splitBare(specifier: string): [string, string] {
  const parts = specifier.split('/');
  const size = specifier.startsWith('@') ? 2 : 1;
  const rest = parts.slice(size).join('/');
  return [parts.slice(0, size).join('/'), rest === '' ? '.' : `./${rest}`];
}

/** The target of an `exports` value under the browser conditions. */
function target(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(target).find((t) => t !== undefined);
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (CONDITIONS.includes(key)) {
      const found = target(inner);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The file of package `dir` for `subpath` (`.` or `./x`), as Node's resolver finds it for ES modules. */
export function packageEntry(dir: string, subpath: string): string | undefined {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports?: unknown;
    module?: string;
    main?: string;
  };
  const { exports } = manifest;
  if (exports !== undefined) {
    const map =
      typeof exports === 'object' &&
      exports !== null &&
      !Array.isArray(exports) &&
      Object.keys(exports).some((k) => k.startsWith('.'))
        ? (exports as Record<string, unknown>)
        : { '.': exports };
    let found = subpath in map ? target(map[subpath]) : undefined;
    for (const [key, value] of Object.entries(map)) {
      if (found !== undefined) break;
      const star = key.indexOf('*');
      if (star < 0 || !subpath.startsWith(key.slice(0, star))) continue;
      if (!subpath.endsWith(key.slice(star + 1))) continue;
      const middle = subpath.slice(star, subpath.length - (key.length - star - 1));
      found = target(value)?.replaceAll('*', middle);
    }
    return found === undefined ? undefined : join(dir, found);
  }
  if (subpath !== '.') return fileOf(join(dir, subpath));
  return fileOf(join(dir, manifest.module ?? manifest.main ?? 'index.js'));
}

/** The folder of package `name` as Node looks for it from `from`: node_modules upwards. */
function packageDir(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The user's files and the packages they import, as the devtools server serves them. */
export interface AppFiles {
  /** Bare specifiers → files, for the page's import map (whizbang's own are the caller's). */
  readonly imports: ReadonlyMap<string, string>;
  /** A file's text as the browser runs it (read again each time), or undefined for one not found. */
  read(file: string): Promise<string | undefined>;
}

/**
 * Follows `module`'s imports (files and packages; `skip` says which bare specifiers the caller
 * maps itself): fails with BAD_APP_MODULE, naming the file, on an import it cannot serve.
 */
export async function appFiles(
  module: string,
  skip: (specifier: string) => boolean,
): Promise<AppFiles> {
  const project = dirname(module);
  let strip: Strip | undefined;
  const files = new Set<string>();
  const imports = new Map<string, string>();
  const textOf = async (file: string): Promise<string> => {
    const code = readFileSync(file, 'utf8');
    if (!TS.test(file)) return code;
    strip ??= await stripper(project);
    return strip(code, file);
  };
  const pending = [module];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of importsOf(await textOf(file))) {
      if (isUrl(specifier) || skip(specifier) || imports.has(specifier)) continue;
      const where = relative(process.cwd(), file) || file;
      let found: string | undefined;
      if (isRelative(specifier)) {
        found = fileOf(resolve(dirname(file), specifier));
      } else {
        if (specifier.startsWith('node:')) {
          throw new CliError(
            'BAD_APP_MODULE',
            `${where} imports "${specifier}": the devtools page runs the app in the browser, which has no Node modules.`,
          );
        }
        const [name, subpath] = splitBare(specifier);
        const dir = packageDir(name, dirname(file));
        found = dir === undefined ? undefined : packageEntry(dir, subpath);
        if (found !== undefined) imports.set(specifier, found);
      }
      if (found === undefined || !existsSync(found)) {
        throw new CliError(
          'BAD_APP_MODULE',
          `${where} imports "${specifier}", which was not found${isRelative(specifier) ? '' : ' in node_modules (npm install it)'}.`,
        );
      }
      if (/\.(c?js|mjs|m?ts|tsx?)$/.test(found)) pending.push(found);
    }
  }
  return {
    imports,
    async read(path) {
      const file = files.has(path) ? path : fileOf(path);
      return file !== undefined && files.has(file) ? await textOf(file) : undefined;
    },
  };
}
