/** Benchmarks of time travel: the models as of a far position, with checkpoints against a full replay. */

import type { MemoryLedger, NewEvent } from '../../js/mod.ts';
import { memoryLedger } from '../../js/mod.ts';
import { timeTravel } from '../../js/timetravel/mod.ts';
import { ACCOUNTS, balances } from './bank.ts';
import type { BenchEntry } from './harness.ts';

/** Events in the ledger: deposits round-robin over 1 000 accounts. */
const EVENTS = 1_000_000;
const EVERY = 1000;
/** Each subject round repeats its jumps this many times, so that it lasts long enough to time. */
const REPEAT = 100;
/** Rates are per minute: a full replay takes about half a second, and the harness rounds to units. */
const PER_MINUTE = 60;

/** A memory ledger of `EVENTS` deposits, appended 100 at a time to one account's stream. */
function deposits(): MemoryLedger {
  const ledger = memoryLedger();
  const per = 100;
  for (let i = 0; i < EVENTS / per; i++) {
    const accountId = ACCOUNTS[i % ACCOUNTS.length]!;
    const events: NewEvent[] = new Array(per);
    for (let j = 0; j < per; j++) {
      events[j] = { type: 'Deposited', data: { accountId, amount: 1 + (j % 7) } };
    }
    ledger.append(`account-${accountId}`, events);
  }
  return ledger;
}

/** The i-th target: near the head, between 0 and 999 positions past a checkpoint. */
const target = (i: number): number => EVENTS - ((i * 7919) % EVERY);

export const benches: BenchEntry[] = [
  {
    name: 'timetravel.jump',
    make: async () => {
      const ledger = deposits();
      const tt = timeTravel({ ledger, perspectives: [balances], snapshotEvery: EVERY });
      const start = performance.now();
      await tt.at(EVENTS); // the first pass replays everything once and leaves the checkpoints
      console.error(
        `timetravel.jump: ${EVENTS} events over ${ACCOUNTS.length} accounts; the first pass, ` +
          `which built ${tt.checkpoints} checkpoints, took ${Math.round(performance.now() - start)} ms`,
      );
      let n = 0;
      return {
        name: 'timetravel.jump',
        unit: 'jumps/min',
        ops: 3,
        subject: {
          name: `timeTravel.at(≈1M) from position 0, checkpoints every ${EVERY} (built)`,
          run: async (ops) => {
            let sum = 0;
            for (let i = 0; i < ops * REPEAT; i++) {
              await tt.at(0);
              const view = await tt.at(target(n++));
              sum += view.get(balances, ACCOUNTS[0]!)!.balance;
            }
            return sum > 0 ? ops * REPEAT * PER_MINUTE : 0;
          },
        },
        baseline: {
          name: `timeTravel.at(≈1M) without checkpoints: a full replay of ${EVENTS} deposits over ${ACCOUNTS.length} accounts`,
          run: async (ops) => {
            let sum = 0;
            for (let i = 0; i < ops; i++) {
              const replay = timeTravel({ ledger, perspectives: [balances], snapshotEvery: 0 });
              const view = await replay.at(target(n++));
              sum += view.get(balances, ACCOUNTS[0]!)!.balance;
            }
            return sum > 0 ? ops * PER_MINUTE : 0;
          },
        },
      };
    },
  },
];
