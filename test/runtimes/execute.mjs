/**
 * Execution half of the vitest shim: runs one file's collected tree sequentially, with vitest's
 * hook order (beforeEach outer to inner, afterEach inner to outer), timeouts and assertion counts.
 */
import { expect } from './expect.mjs';

export const TEST_TIMEOUT_MS = 20_000;
export const HOOK_TIMEOUT_MS = 10_000;

const unhandled = [];

/** Errors nobody caught (unhandled rejections, throws in timers) fail the test that is running. */
export function recordUnhandled(error) {
  unhandled.push(error);
}

/** Takes the unhandled errors recorded so far. */
export function takeUnhandled() {
  return unhandled.splice(0);
}

class SkipSignal extends Error {}

async function withTimeout(run, ms, what, controller) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      controller?.abort();
      reject(new Error(`${what} timed out in ${ms}ms`));
    }, ms);
  });
  try {
    return await Promise.race([Promise.resolve().then(run), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function ancestors(node) {
  const chain = [];
  for (let suite = node.parent; suite; suite = suite.parent) chain.unshift(suite);
  return chain;
}

function pathOf(node) {
  return [...ancestors(node), node].map((n) => n.name).filter(Boolean);
}

function* testsIn(suite) {
  for (const child of suite.children) {
    if (child.kind === 'test') yield child;
    else yield* testsIn(child);
  }
}

function isRunnable(node) {
  return node.mode !== 'skip' && node.mode !== 'todo';
}

/**
 * Runs a collected suite; `report` receives `{ name: string[], status, durationMs, error? }` for
 * each test and for each failing hook or describe callback.
 */
export async function runSuite(suite, report) {
  const skipAll = (status) => {
    for (const t of testsIn(suite)) report({ name: pathOf(t), status, durationMs: 0 });
  };
  if (suite.error) {
    report({ name: [...pathOf(suite), '(describe)'], status: 'fail', error: suite.error });
    return skipAll('skip');
  }
  if (!isRunnable(suite)) return skipAll(suite.mode);
  const runnable = [...testsIn(suite)].some((t) => isRunnable(t) && ancestors(t).every(isRunnable));
  if (!runnable) return skipAll('skip');

  const teardowns = [];
  let setupFailed = false;
  for (const hook of suite.hooks.beforeAll) {
    try {
      const teardown = await withTimeout(
        () => hook.fn(suite),
        hook.timeout ?? HOOK_TIMEOUT_MS,
        'beforeAll hook',
      );
      if (typeof teardown === 'function') teardowns.unshift(teardown);
    } catch (error) {
      report({ name: [...pathOf(suite), '(beforeAll)'], status: 'fail', error });
      setupFailed = true;
      break;
    }
  }
  if (setupFailed) skipAll('skip');
  else {
    for (const child of suite.children) {
      if (child.kind === 'suite') await runSuite(child, report);
      else await runTest(child, report);
    }
  }
  // afterAll runs even when beforeAll failed; then what beforeAll returned, last registered first.
  const afterAll = [...[...suite.hooks.afterAll].reverse(), ...teardowns.map((fn) => ({ fn }))];
  for (const hook of afterAll) {
    try {
      await withTimeout(() => hook.fn(suite), hook.timeout ?? HOOK_TIMEOUT_MS, 'afterAll hook');
    } catch (error) {
      report({ name: [...pathOf(suite), '(afterAll)'], status: 'fail', error });
    }
  }
}

async function runTest(test, report) {
  const name = pathOf(test);
  if (!isRunnable(test)) return report({ name, status: test.mode, durationMs: 0 });
  const chain = ancestors(test);
  const started = performance.now();
  const controller = new AbortController();
  const finished = [];
  const failed = [];
  const context = {
    task: { name: test.name, fullName: name.join(' > ') },
    expect,
    signal: controller.signal,
    skip: (note) => {
      throw new SkipSignal(note ?? 'skipped');
    },
    onTestFinished: (fn) => finished.unshift(fn),
    onTestFailed: (fn) => failed.unshift(fn),
  };
  expect.setState({
    assertionCalls: 0,
    expectedAssertionsNumber: null,
    isExpectingAssertions: false,
    currentTestName: name.join(' '),
  });
  for (const stray of takeUnhandled()) {
    report({ name: ['(unhandled error between tests)'], status: 'fail', error: stray });
  }

  let error;
  const cleanups = [];
  const note = (e) => {
    error ??= e;
  };
  try {
    for (const suite of chain) {
      for (const hook of suite.hooks.beforeEach) {
        const cleanup = await withTimeout(
          () => hook.fn(context, suite),
          hook.timeout ?? HOOK_TIMEOUT_MS,
          'beforeEach hook',
        );
        if (typeof cleanup === 'function') cleanups.unshift(cleanup);
      }
    }
    await withTimeout(() => test.fn(context), test.timeout ?? TEST_TIMEOUT_MS, 'test', controller);
    const [missing] = expect.extractExpectedAssertionsErrors();
    if (missing) throw missing.error;
  } catch (e) {
    note(e);
  }
  // vitest 4: afterEach inner to outer, then what beforeEach returned, last registered first.
  const after = [
    ...[...chain].reverse().flatMap((s) => [...s.hooks.afterEach].reverse()),
    ...cleanups,
  ];
  for (const hook of after) {
    const fn = typeof hook === 'function' ? hook : hook.fn;
    await withTimeout(() => fn(context), hook.timeout ?? HOOK_TIMEOUT_MS, 'afterEach hook').catch(
      note,
    );
  }
  const [stray] = takeUnhandled();
  if (stray !== undefined) note(stray);
  for (const fn of finished) await Promise.resolve().then(fn).catch(note);
  if (error !== undefined && !(error instanceof SkipSignal)) {
    for (const fn of failed)
      await Promise.resolve()
        .then(fn)
        .catch(() => {});
  }

  const durationMs = performance.now() - started;
  if (error instanceof SkipSignal) return report({ name, status: 'skip', durationMs });
  if (test.fails) {
    return error === undefined
      ? report({ name, status: 'fail', durationMs, error: new Error('expected test to fail') })
      : report({ name, status: 'pass', durationMs });
  }
  if (error !== undefined) return report({ name, status: 'fail', durationMs, error });
  report({ name, status: 'pass', durationMs });
}
