/**
 * The benchmark contract: each figure is measured with its baseline in the same run, interleaved,
 * a warm-up first, the median of several rounds; one JSON line per figure on stdout, with the
 * runtime it ran on, and a readable line on stderr.
 */

/** A runtime a benchmark can run on. */
export type Runtime = 'node' | 'bun' | 'deno';

/** A benchmark by name; the spec is made lazily, so unselected ones cost nothing. */
export interface BenchEntry {
  readonly name: string;
  /** Where it runs (default Node only); `npm run bench` runs it once on each, in its own process. */
  readonly runtimes?: readonly Runtime[];
  readonly make: () => Promise<BenchSpec> | BenchSpec;
}

/** What a side measured itself, where its work ran (a browser page): operations done, in seconds. */
export interface Timed {
  readonly done: number;
  readonly seconds: number;
}

/**
 * One measured side: runs `ops` operations and returns how many it did (for rate units), timed
 * here; or returns {@link Timed} when it timed itself elsewhere.
 */
export type Work = (ops: number) => Promise<number | Timed> | number | Timed;

export interface Side {
  readonly name: string;
  /** Prepares a fresh state before each round (not timed). */
  readonly setup?: () => Promise<void> | void;
  readonly run: Work;
  readonly teardown?: () => Promise<void> | void;
}

export interface BenchSpec {
  /** Dotted name, e.g. `ledger.memory.append`. */
  readonly name: string;
  /** Unit of `value`: `events/s`, `ops/s`, `commands/s`, … (all rates: higher is better). */
  readonly unit: string;
  readonly subject: Side;
  readonly baseline?: Side;
  /** The ratio the subject should reach against the baseline. */
  readonly goal?: number;
  /** Operations per round. */
  readonly ops: number;
  /** Timed rounds per side (default 7). */
  readonly rounds?: number;
  /** Runs once after the last round (state both sides shared). */
  readonly finish?: () => Promise<void> | void;
  /** Where the work runs, when not in this process (e.g. `chromium`). */
  readonly runtime?: string;
  /** Releases what the spec holds (a browser) once measured. */
  readonly dispose?: () => Promise<void> | void;
}

export interface BenchResult {
  readonly bench: string;
  readonly runtime: string;
  readonly unit: string;
  readonly value: number;
  readonly baseline: string | null;
  readonly baseline_value: number | null;
  readonly ratio: number | null;
  readonly goal: number | null;
}

/** The runtime this process is. */
export function runtimeName(): Runtime {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Bun !== undefined) return 'bun';
  if (g.Deno !== undefined) return 'deno';
  return 'node';
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function round(side: Side, ops: number): Promise<number> {
  await side.setup?.();
  const start = performance.now();
  const done = await side.run(ops);
  const seconds = (performance.now() - start) / 1000;
  await side.teardown?.();
  return typeof done === 'number' ? done / seconds : done.done / done.seconds;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Measures a spec and prints its line. */
export async function measure(spec: BenchSpec): Promise<BenchResult> {
  const rounds = spec.rounds ?? 7;
  const warm = Math.max(1, Math.floor(spec.ops / 4));
  await round(spec.subject, warm);
  if (spec.baseline) await round(spec.baseline, warm);
  const subject: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < rounds; i++) {
    // alternate which side goes first so drift in the machine does not favour one
    if (i % 2 === 0) {
      subject.push(await round(spec.subject, spec.ops));
      if (spec.baseline) baseline.push(await round(spec.baseline, spec.ops));
    } else {
      if (spec.baseline) baseline.push(await round(spec.baseline, spec.ops));
      subject.push(await round(spec.subject, spec.ops));
    }
  }
  await spec.finish?.();
  const value = Math.round(median(subject));
  const baseValue = spec.baseline ? Math.round(median(baseline)) : null;
  const result: BenchResult = {
    bench: spec.name,
    runtime: spec.runtime ?? runtimeName(),
    unit: spec.unit,
    value,
    baseline: spec.baseline?.name ?? null,
    baseline_value: baseValue,
    ratio: baseValue ? round3(value / baseValue) : null,
    goal: spec.goal ?? null,
  };
  console.log(JSON.stringify(result));
  const verdict =
    result.ratio === null || result.goal === null
      ? ''
      : result.ratio >= result.goal
        ? '  goal met'
        : '  GOAL NOT MET';
  console.error(
    `${`${spec.name} (${result.runtime})`.padEnd(34)} ${String(value).padStart(10)} ${spec.unit.padEnd(10)}` +
      (spec.baseline
        ? ` vs ${String(baseValue).padStart(10)} (${spec.baseline.name})  ratio ${result.ratio}`
        : '') +
      (result.goal === null ? '' : ` goal ${result.goal}`) +
      verdict,
  );
  return result;
}

/**
 * The command line of a bundle: `--list` prints `<name> <runtime,…>` per benchmark; otherwise runs
 * every benchmark whose name starts with the first argument (or is it, with `--exact`).
 */
export async function runBenches(all: readonly BenchEntry[]): Promise<void> {
  const prefix = process.argv[2] ?? '';
  if (prefix === '--list') {
    for (const entry of all) console.log(`${entry.name} ${(entry.runtimes ?? ['node']).join()}`);
    return;
  }
  let count = 0;
  for (const entry of all) {
    if (process.argv[3] === '--exact' ? entry.name !== prefix : !entry.name.startsWith(prefix))
      continue;
    count++;
    const spec = await entry.make();
    try {
      await measure(spec);
    } finally {
      await spec.dispose?.();
    }
  }
  if (count === 0) {
    console.error(`No benchmark name starts with "${prefix}".`);
    process.exitCode = 1;
  }
}
