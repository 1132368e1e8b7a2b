/**
 * The bank demo: `npm run demo`. Opens accounts, moves money, transfers through a cascade, shows a
 * refused withdrawal and a declined transfer, then reads the lenses and one causal chain.
 */

import { postgresDriver } from '../../adapters/postgres/mod.ts';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import type { DeliveryReceipt, RecordedEvent } from '../../js/mod.ts';
import { isWhizbangError } from '../../js/mod.ts';
import { toText, traceStore } from '../../js/trace/mod.ts';
import {
  accounts,
  createBank,
  Deposit,
  GetBalance,
  OpenAccount,
  Transfer,
  totals,
  transfers,
  Withdraw,
} from './domain.ts';
import { createSagaBank } from './transfer-saga.ts';

// `npm run demo -- --db bank.db` keeps the bank in a SQLite file (run it twice: the accounts are there);
// `npm run demo -- --db postgres://postgres@127.0.0.1:5432/test` keeps it in PostgreSQL.
const at = process.argv.indexOf('--db');
const dbPath = at === -1 ? undefined : process.argv[at + 1];
const onServer = dbPath !== undefined && /^postgres(ql)?:\/\//.test(dbPath);
const driver =
  dbPath === undefined
    ? undefined
    : onServer
      ? await postgresDriver({ url: dbPath, schema: 'whizbang_bank' })
      : sqliteDriver({ path: dbPath });
const bank = createBank(driver === undefined ? {} : { driver });
const run = (await bank.ledger.headPosition()) + 1; // transfer ids unique per run
const say = (line: string): void => console.log(line);
const step = async (label: string, run: () => Promise<DeliveryReceipt>): Promise<void> => {
  try {
    const r = await run();
    say(`  ✓ ${label.padEnd(44)} ${r.streamId ?? ''} v${r.version ?? '-'} @${r.position}`);
  } catch (error) {
    const code = isWhizbangError(error) ? ` [${error.code}]` : '';
    say(
      `  ✗ ${label.padEnd(44)} refused${code}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
};

const where =
  dbPath === undefined
    ? 'in memory'
    : onServer
      ? 'PostgreSQL, schema whizbang_bank'
      : `SQLite file ${dbPath}`;
say(`Whizbang bank demo (${where})\n`);
say('Commands:');
await step('open account ada (overdraft 100)', () =>
  bank.send(OpenAccount({ accountId: 'ada', owner: 'Ada Lovelace', overdraftLimit: 100 })),
);
await step('open account bob', () =>
  bank.send(OpenAccount({ accountId: 'bob', owner: 'Bob Babbage' })),
);
await step('deposit 250 to ada', () => bank.send(Deposit({ accountId: 'ada', amount: 250 })));
await step('withdraw 300 from ada (uses overdraft)', () =>
  bank.send(Withdraw({ accountId: 'ada', amount: 300 })),
);
await step('withdraw 10 from bob (no overdraft)', () =>
  bank.send(Withdraw({ accountId: 'bob', amount: 10 })),
);
await step('deposit 500 to bob', () => bank.send(Deposit({ accountId: 'bob', amount: 500 })));
const transfer = await bank.send(
  Transfer({ transferId: `t-${run}`, from: 'bob', to: 'ada', amount: 120 }),
);
say(`  ✓ ${'transfer 120 bob → ada'.padEnd(44)} cascade ended @${transfer.position}`);
await step('transfer 900 ada → bob (declined)', () =>
  bank.send(Transfer({ transferId: `t-${run + 1}`, from: 'ada', to: 'bob', amount: 900 })),
);
await step('open ada again', () => bank.send(OpenAccount({ accountId: 'ada', owner: 'Imposter' })));

say('\nLens "accounts" (inline perspective), richest first:');
for (const a of await bank.lens(accounts).query({ orderBy: { balance: 'desc' } })) {
  say(
    `  ${a.accountId.padEnd(6)} ${a.owner.padEnd(14)} balance ${String(a.balance).padStart(5)}  movements ${a.movements}`,
  );
}
say('\nLens "transfers":');
for (const t of await bank.lens(transfers).query({ orderBy: { transferId: 'asc' } })) {
  say(
    `  ${t.transferId}  ${t.from} → ${t.to}  ${t.amount}  ${t.status}${t.reason ? ` (${t.reason})` : ''}`,
  );
}
await bank.waitForPerspectives();
say(`\nLens "totals" (async perspective): ${JSON.stringify(await bank.lens(totals).get('bank'))}`);
say(`localInvoke(GetBalance ada) → ${await bank.localInvoke(GetBalance({ accountId: 'ada' }))}`);

say(
  `\nWhat happened because of the transfer (correlation ${transfer.correlationId.slice(0, 13)}…):`,
);
const chain = (await bank.ledger.readAll()).filter(
  (e) => e.correlationId === transfer.correlationId,
);
const show = (e: RecordedEvent): string =>
  `#${e.position} ${e.type} on ${e.streamId} v${e.version} ${JSON.stringify(e.data)}`;
for (const e of chain) say(`  ${show(e)}`);
say(`\n${await bank.ledger.headPosition()} events in the ledger.`);
await bank.close();

// The same transfers as a saga: its own state stream, and compensation when the credit fails.
say('\nTransfers as a saga (examples/bank/transfer-saga.ts), traced:');
const trace = traceStore();
const sagaBank = createSagaBank({ observers: [trace] });
await sagaBank.send(OpenAccount({ accountId: 'ada', owner: 'Ada Lovelace' }));
await sagaBank.send(Deposit({ accountId: 'ada', amount: 100 }));
const refunded = await sagaBank.send(
  Transfer({ transferId: 't-3', from: 'ada', to: 'nobody', amount: 40 }),
);
const t3 = await sagaBank.lens(transfers).get('t-3');
say(`  transfer 40 ada → nobody: ${t3?.status}${t3?.reason ? ` (${t3.reason})` : ''}`);
say(
  `  ada's balance after the refund: ${await sagaBank.localInvoke(GetBalance({ accountId: 'ada' }))}`,
);
say('\nIts causal chain (trace store, toText):');
const tree = trace.chain(refunded.correlationId);
if (tree) for (const line of toText(tree, { durations: false }).split('\n')) say(`  ${line}`);
await sagaBank.close();
