/**
 * How many runs the hostile-input suite makes: a short seeded run in `npm test`, many more under
 * `npm run test:hostile` (HOSTILE_RUNS, and HOSTILE_SEED to replay a failure).
 */
export function hostileRuns(short = 20): { numRuns: number; seed?: number } {
  const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process
    ?.env;
  const numRuns = Number(env?.HOSTILE_RUNS ?? short);
  const seed =
    env?.HOSTILE_SEED === undefined
      ? env?.HOSTILE_RUNS === undefined
        ? 23
        : undefined
      : Number(env.HOSTILE_SEED);
  return seed === undefined ? { numRuns } : { numRuns, seed };
}
