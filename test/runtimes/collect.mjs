/**
 * Collection half of the vitest shim: `describe`, `it`/`test` and the hooks build a tree while a
 * test file is imported; `execute.mjs` runs that tree afterwards, as vitest does.
 */
import { inspect } from 'node:util';

let root = null;
let current = null;

/** Starts collecting the next file's tree. */
export function startCollection() {
  root = makeSuite('', null, 'run');
  current = root;
}

/** Ends collection and returns the file's root suite, with `.only` applied. */
export function finishCollection() {
  const collected = root;
  root = null;
  current = null;
  if (collected && hasOnly(collected)) restrictToOnly(collected, false);
  return collected;
}

function makeSuite(name, parent, mode) {
  return {
    kind: 'suite',
    name,
    parent,
    mode,
    timeout: parent?.timeout,
    children: [],
    hooks: { beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] },
    error: null,
  };
}

function activeSuite(what) {
  if (!current) {
    throw new Error(`${what}() must be called while a test file is being collected`);
  }
  return current;
}

function nameOf(name) {
  return typeof name === 'function' ? name.name : String(name);
}

// vitest accepts (name, fn, timeout | options) and (name, options, fn).
function splitArgs(a, b) {
  if (typeof a === 'function') {
    return { fn: a, options: typeof b === 'number' ? { timeout: b } : (b ?? {}) };
  }
  if (a && typeof a === 'object')
    return { fn: typeof b === 'function' ? b : undefined, options: a };
  return { fn: undefined, options: {} };
}

function modeOf(flags, options, fn) {
  if (flags.todo || options.todo || !fn) return 'todo';
  if (flags.skip || options.skip) return 'skip';
  if (flags.only || options.only) return 'only';
  return 'run';
}

function addTest(flags, name, a, b) {
  const parent = activeSuite('test');
  const { fn, options } = splitArgs(a, b);
  parent.children.push({
    kind: 'test',
    name: nameOf(name),
    parent,
    fn,
    mode: modeOf(flags, options, fn),
    timeout: options.timeout ?? parent.timeout,
    fails: Boolean(flags.fails || options.fails),
  });
}

function addSuite(flags, name, a, b) {
  const parent = activeSuite('describe');
  const { fn, options } = splitArgs(a, b);
  const suite = makeSuite(nameOf(name), parent, modeOf(flags, options, fn));
  if (options.timeout !== undefined) suite.timeout = options.timeout;
  parent.children.push(suite);
  if (!fn) return;
  current = suite;
  try {
    const result = fn();
    if (result && typeof result.then === 'function') {
      result.then(undefined, () => {});
      suite.error = new Error('async describe() callbacks are not supported by the runtimes shim');
    }
  } catch (error) {
    suite.error = error;
  } finally {
    current = parent;
  }
}

function hasOnly(suite) {
  return suite.children.some(
    (child) => child.mode === 'only' || (child.kind === 'suite' && hasOnly(child)),
  );
}

// Like vitest: once a file uses `.only`, everything outside the marked tests and suites is skipped.
function restrictToOnly(suite, insideOnly) {
  for (const child of suite.children) {
    const marked = insideOnly || child.mode === 'only';
    if (child.kind === 'suite') restrictToOnly(child, marked);
    else if (!marked && child.mode === 'run') child.mode = 'skip';
  }
}

function formatEachName(template, args, index) {
  let next = 0;
  let name = String(template).replace(/%[sdifjoO#$%]/g, (token) => {
    if (token === '%%') return '%';
    if (token === '%#') return String(index);
    if (token === '%$') return String(index + 1);
    const value = args[next++];
    if (token === '%s') return typeof value === 'string' ? value : inspect(value);
    if (token === '%d' || token === '%i') return String(token === '%i' ? Math.trunc(value) : value);
    if (token === '%f') return String(Number(value));
    if (token === '%j') return JSON.stringify(value);
    return inspect(value);
  });
  const row = args[0];
  if (args.length === 1 && row !== null && typeof row === 'object') {
    name = name.replace(/\$([\w.]+)/g, (match, path) => {
      const keys = path.split('.');
      if (!(keys[0] in row)) return match;
      return inspect(keys.reduce((value, key) => value?.[key], row));
    });
  }
  return name;
}

function eachOf(add, flags) {
  return (table) => {
    if (!Array.isArray(table)) {
      throw new Error('.each with a template literal table is not supported by the runtimes shim');
    }
    return (name, a, b) => {
      const { fn, options } = splitArgs(a, b);
      table.forEach((row, index) => {
        const args = Array.isArray(row) ? row : [row];
        const body = fn && (() => fn(...args));
        add(flags, formatEachName(name, args, index), body, options);
      });
    };
  };
}

function chainable(add, flags) {
  const api = (name, a, b) => add(flags, name, a, b);
  const define = (key, value) => Object.defineProperty(api, key, { get: value });
  define('skip', () => chainable(add, { ...flags, skip: true }));
  define('only', () => chainable(add, { ...flags, only: true }));
  define('todo', () => chainable(add, { ...flags, todo: true }));
  define('concurrent', () => api);
  define('sequential', () => api);
  define(
    'skipIf',
    () => (condition) => chainable(add, { ...flags, skip: flags.skip || condition }),
  );
  define(
    'runIf',
    () => (condition) => chainable(add, { ...flags, skip: flags.skip || !condition }),
  );
  define('each', () => eachOf(add, flags));
  if (add === addTest) define('fails', () => chainable(add, { ...flags, fails: true }));
  return api;
}

export const it = chainable(addTest, {});
export const test = it;
export const describe = chainable(addSuite, {});
export const suite = describe;

function hook(kind) {
  return (fn, timeout) => {
    activeSuite(kind).hooks[kind].push({ fn, timeout });
  };
}

export const beforeAll = hook('beforeAll');
export const afterAll = hook('afterAll');
export const beforeEach = hook('beforeEach');
export const afterEach = hook('afterEach');
