/**
 * One instance of the kill test's bank in a process of its own: sends a stream of bank commands
 * (deposits, withdrawals, transfers, some of them above the approval limit) while it shares the
 * background work with the other instances; killed with SIGKILL by the parent and started again.
 * `ready` on stdout once started; `quiet` on stdin stops sending; `exit` closes it.
 */
import { natsTransport } from '../../../adapters/nats/node.ts';
import { postgresDriver } from '../../../adapters/postgres/mod.ts';
import { sqliteDriver } from '../../../adapters/sqlite/mod.ts';
import { Deposit, Transfer, Withdraw } from '../../../examples/bank/domain.ts';
import type { Driver } from '../../../js/mod.ts';
import { bank, mailer } from './bank.ts';

/** What the parent tells a worker, as JSON in its one argument. */
export interface KillWorkerArgs {
  readonly instance: string;
  readonly store: { readonly sqlite: string } | { readonly url: string; readonly schema: string };
  readonly nats: string;
  readonly stream: string;
  readonly topic: string;
  readonly accounts: number;
  readonly seed: number;
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const args = JSON.parse(process.argv[2]!) as KillWorkerArgs;

const open = async (): Promise<Driver> =>
  'sqlite' in args.store
    ? sqliteDriver({ path: args.store.sqlite, pollMs: 20 })
    : postgresDriver({ url: args.store.url, schema: args.store.schema, max: 4, pollMs: 100 });

let random = args.seed >>> 0 || 1;
const next = (n: number): number => {
  random ^= random << 13;
  random ^= random >>> 17;
  random ^= random << 5;
  return (random >>> 0) % n;
};

async function main(): Promise<void> {
  const transport = await natsTransport({
    servers: args.nats,
    prefix: args.topic,
    jetstream: { stream: args.stream, ackWaitMs: 1_000 },
  });
  const options = {
    coordinate: {
      instance: args.instance,
      ttlMs: 1_500,
      heartbeatMs: 300,
      partitions: { movements: 2 },
    },
    schedules: { pollMs: 100 },
  } as const;
  const app = bank({ ...options, driver: await open() });
  const relay = app.relay(transport, { pollMs: 50 });
  const receipts = mailer({ driver: await open() });
  await receipts.listen(transport, { queue: 'mailer' });
  say('ready');
  let sending = true;
  const load = (async () => {
    while (sending) {
      const from = `acc-${next(args.accounts)}`;
      const to = `acc-${next(args.accounts)}`;
      const amount = 1 + next(100);
      const pick = next(10);
      try {
        if (pick < 4) await app.send(Deposit({ accountId: from, amount }));
        else if (pick < 5) await app.send(Withdraw({ accountId: from, amount }));
        else if (from !== to)
          await app.send(Transfer({ transferId: `${args.instance}-${random}`, from, to, amount }));
      } catch {
        // a refusal (overdraft, a conflict that kept losing) is part of a bank's day
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  let buffer = '';
  process.stdin.setEncoding('utf8');
  await new Promise<void>((resolve) => {
    process.stdin.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      if (lines.includes('quiet')) sending = false;
      if (lines.includes('exit')) resolve();
    });
    process.stdin.on('end', () => resolve());
  });
  sending = false;
  await load;
  await relay.stop();
  await app.close();
  await receipts.close();
  await transport.close();
  process.exit(0);
}

main().catch((error: unknown) => {
  say(`error ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  process.exit(1);
});
