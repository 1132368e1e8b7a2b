/**
 * A read-only tail of a running system's JetStream log over WebSocket (`whizbang devtools --live`):
 * the log's events are appended to the page's ledger as they were recorded, from its head on, and
 * again each time the log commits more. Nothing is ever written to the log.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { wsconnect } from '@nats-io/nats-core';
import { jetstreamLedger } from '../../adapters/nats/mod.ts';
import type { Ledger, Whizbang } from '../../js/mod.ts';
import type { LiveLog } from './domains/types.ts';
import { appendCopy } from './seed.ts';

/** Events read per page. */
const PAGE = 500;

/** Follows `live` into `local` until the returned function is called; `pulled` hears each page. */
export async function startTail(
  app: Whizbang<any, any>,
  local: Ledger,
  live: LiveLog,
  pulled: (count: number) => void,
): Promise<() => Promise<void>> {
  const connection = await wsconnect({ servers: live.servers, timeout: 5000 });
  let remote: Awaited<ReturnType<typeof jetstreamLedger>>;
  try {
    // read-only: a stream that is not there is said so, not made (the ledger would make it)
    const jsm = await jetstreamManager(connection);
    await jsm.streams.info(live.stream).catch(() => {
      throw new Error(`There is no JetStream stream "${live.stream}" on ${live.servers}.`);
    });
    remote = await jetstreamLedger({ connection, stream: live.stream, prefix: live.prefix });
  } catch (error) {
    await connection.close();
    throw error;
  }
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const pull = async (): Promise<void> => {
    for (;;) {
      if (stopped) return;
      const from = (await local.headPosition()) + 1;
      const page = await remote.readAll({ from, limit: PAGE });
      if (page.length === 0 || stopped) return;
      await appendCopy(app, local, page);
      pulled(page.length);
      if (page.length < PAGE) return;
    }
  };
  // one pull at a time: a commit heard while pulling makes one more after it
  const again = (): void => {
    running = running.then(pull).catch((error: unknown) => {
      (document.getElementById('status') as HTMLElement).textContent =
        `The live log: ${(error as Error).message}`;
    });
  };
  const unwatch = remote.watch(again);
  again();
  await running;
  return async () => {
    stopped = true;
    unwatch();
    await running;
    await remote.close();
    await connection.close();
  };
}
