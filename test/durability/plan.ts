/**
 * How much the rig runs: a short run in `npm test` (one seed, small runs, one or two kills of each
 * kind), or the long run of `npm run test:durability` (`RIG_LONG=1`; seeds from `RIG_SEEDS`, a
 * count or a list), with the kills of the original durability study: the sender and the receiver
 * killed several times per run, the broker twice (1.5 s and 7 s down).
 */

/** Whether this is the long run. */
export const LONG: boolean = process.env.RIG_LONG === '1';

/** The seeds to run. */
export function seeds(): number[] {
  const given = process.env.RIG_SEEDS;
  if (given === undefined || given === '') return [LONG ? 1 : Number(process.env.RIG_SEED ?? 1)];
  if (/^\d+$/.test(given)) return Array.from({ length: Number(given) }, (_, i) => i + 1);
  return given.split(',').map(Number);
}

/** Orders and customers of an in-process run. */
export const IN_PROCESS = LONG
  ? { orders: 400, customers: 20, outageMs: 1_500 }
  : { orders: 60, customers: 6, outageMs: 300 };

/** Orders, kills and outages of a run across processes. */
export const ACROSS = LONG
  ? {
      orders: 1_000,
      customers: 40,
      paceMs: 2,
      jetstream: { sender: 3, receiver: 3, broker: 2 },
      core: { sender: 4, receiver: 0, broker: 0 },
      outages: [1_500, 7_000],
    }
  : {
      orders: 100,
      customers: 8,
      paceMs: 3,
      jetstream: { sender: 1, receiver: 1, broker: 1 },
      core: { sender: 2, receiver: 0, broker: 0 },
      outages: [400],
    };
