/**
 * A service of the durability rig in a process of its own, killed with SIGKILL by the parent
 * (`processes.ts`) and started again on the same store. The sender places the run's orders in
 * order — after a restart from the first again, each `Place` with its own message id, so what it
 * placed before is a duplicate — and relays its outbox; the receiver listens. One line per fact on
 * stdout: `ready node`, `sent <i>`, `done`; `exit` on stdin ends it cleanly.
 */
import { sleep } from '../../js/conformance/helpers.ts';
import type { Relay } from '../../js/mod.ts';
import { failingShips, orderAt, Place, placeId, receiverApp, senderApp } from './scenario.ts';
import { openDriver, openNats, type StoreSpec, type TransportSpec } from './setup.ts';

/** What the parent tells a worker, as JSON in its one argument. */
export interface WorkerArgs {
  readonly role: 'sender' | 'receiver';
  readonly store: StoreSpec;
  readonly transport: TransportSpec;
  readonly seed: number;
  readonly orders: number;
  readonly customers: number;
  /** A pause between two orders, ms. */
  readonly paceMs: number;
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);

const exitAsked = new Promise<void>((resolve) => {
  let buffer = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    buffer += chunk;
    if (buffer.split('\n').includes('exit')) resolve();
  });
  process.stdin.on('end', () => process.exit(0)); // the parent went away
});

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2]!) as WorkerArgs;
  const driver = await openDriver(args.store);
  const transport = await openNats(args.transport);
  let relay: Relay | undefined;
  if (args.role === 'receiver') {
    const app = receiverApp(driver, failingShips(args.seed, 0.03));
    await app.listen(transport);
    say('ready node');
  } else {
    const app = senderApp(driver);
    relay = app.relay(transport, { pollMs: 20, backoffMs: 10, maxBackoffMs: 500 });
    say('ready node');
    void (async () => {
      for (let i = 0; i < args.orders; i++) {
        const order = orderAt(i, args.customers);
        const receipt = await app.send(Place(order), { messageId: placeId(order) });
        if (receipt.status !== 'duplicate' && args.paceMs > 0) await sleep(args.paceMs);
        if (i % 5 === 4) say(`sent ${i + 1}`);
      }
      say('done');
    })().catch((error: unknown) => {
      say(`error ${JSON.stringify(String(error))}`);
      process.exit(1);
    });
  }
  await exitAsked;
  await relay?.stop();
  await transport.close();
  await driver.close?.();
  process.exit(0);
}

main().catch((error: unknown) => {
  say(
    `error ${JSON.stringify(error instanceof Error ? `${error.name}: ${error.message}` : String(error))}`,
  );
  process.exit(1);
});
