/**
 * Steps the Node side (test/browser/run.mjs) drives in one page or across pages: what a single
 * page cannot test by itself (a reload, two tabs, a full quota). Each returns plain data; the
 * assertions are made in Node.
 */
import { type IndexedDbDriver, indexedDbDriver } from '../../adapters/indexeddb/mod.ts';
import { type Subscription, subscribe } from '../../js/runtime/subscription.ts';
import { isWhizbangError } from '../../js/util/errors.ts';

const open = (name: string): Promise<IndexedDbDriver> => indexedDbDriver({ name });

const codeOf = (error: unknown): string =>
  isWhizbangError(error) ? error.code : `${(error as Error)?.name}: ${(error as Error)?.message}`;

/** Appends `count` events to "kept" with an inline model, a snapshot and an outbox record. */
export async function write(name: string, count: number): Promise<number> {
  const driver = await open(name);
  try {
    const result = await driver.ledger.append(
      'kept',
      Array.from({ length: count }, (_, i) => ({ type: 'Noted', data: { i, text: `note ${i}` } })),
      {
        inTransaction: async (events, tx) => {
          await tx.put('notes', {
            id: 'kept',
            tenant: 'default',
            model: { count: events.length, last: events[events.length - 1]!.data },
            version: events.length,
            position: events[events.length - 1]!.position,
            updatedAt: 0,
          });
          await tx.setCheckpoint('notes', events[events.length - 1]!.position);
        },
      },
    );
    await driver.snapshots.save('Notes', 'default', 'kept', {
      version: result.version,
      state: { count },
      schemaVersion: 1,
      takenAt: 1,
    });
    return result.position;
  } finally {
    driver.close();
  }
}

/** What `write` left, read back by a fresh driver. */
export async function read(name: string): Promise<unknown> {
  const driver = await open(name);
  try {
    const events = await driver.ledger.readStream('kept');
    return {
      versions: events.map((e) => e.version),
      data: events.map((e) => e.data),
      model: (await driver.store.get('notes', 'default', 'kept'))?.model,
      checkpoint: await driver.store.checkpoint('notes'),
      snapshot: (await driver.snapshots.load('Notes', 'default', 'kept'))?.state,
      schema: driver.database.version,
    };
  } finally {
    driver.close();
  }
}

const drivers = new Map<string, IndexedDbDriver>();
const driverFor = async (name: string): Promise<IndexedDbDriver> => {
  let driver = drivers.get(name);
  if (driver === undefined) {
    driver = await open(name);
    drivers.set(name, driver);
  }
  return driver;
};

/** `racers` appends to "shared" at once, each expecting `expected`; what became of each. */
export async function race(
  name: string,
  expected: number,
  racers: number,
  tab: string,
): Promise<string[]> {
  const driver = await driverFor(name);
  const results = await Promise.allSettled(
    Array.from({ length: racers }, (_, i) =>
      driver.ledger.append(
        'shared',
        [{ type: 'Raced', data: {}, metadata: { by: `${tab}${i}` } }],
        {
          expectedVersion: expected,
        },
      ),
    ),
  );
  return results.map((r) => (r.status === 'fulfilled' ? 'won' : codeOf(r.reason)));
}

/** The "shared" stream as this tab reads it: [version, by]. */
export async function shared(name: string): Promise<[number, unknown][]> {
  const driver = await driverFor(name);
  return (await driver.ledger.readStream('shared')).map((e) => [e.version, e.metadata?.by]);
}

let watching: { sub: Subscription; seen: number[]; wakes: number; stop: () => void } | undefined;

/** Subscribes from the start; positions delivered are collected for `seen`. */
export async function watch(name: string): Promise<void> {
  const driver = await driverFor(name);
  const seen: number[] = [];
  let wakes = 0;
  const unwatch = driver.ledger.watch(() => {
    wakes++;
    if (watching) watching.wakes = wakes;
  });
  const sub = subscribe(driver.ledger, (event) => {
    seen.push(event.position);
  });
  watching = { sub, seen, wakes, stop: unwatch };
}

/** What the subscription delivered so far, and how many commit notices this tab heard. */
export function seen(): { positions: number[]; wakes: number } {
  return { positions: [...(watching?.seen ?? [])], wakes: watching?.wakes ?? 0 };
}

/** Appends `rounds` times (1 to 3 events each) to a few streams; returns the head after. */
export async function appendRounds(name: string, rounds: number): Promise<number> {
  const driver = await driverFor(name);
  let head = 0;
  for (let round = 0; round < rounds; round++) {
    const events = Array.from({ length: (round % 3) + 1 }, (_, i) => ({
      type: 'Tick',
      data: { round, i },
    }));
    head = (await driver.ledger.append(`tick-${round % 4}`, events)).position;
  }
  return head;
}

/** Closes the drivers this page keeps open. */
export async function closeAll(): Promise<void> {
  await watching?.sub.stop();
  watching?.stop();
  watching = undefined;
  for (const driver of drivers.values()) driver.close();
  drivers.clear();
}

/** Incompressible text of about `bytes` characters (IndexedDB compresses values). */
function noise(bytes: number): string {
  let text = '';
  while (text.length < bytes) {
    // at most 64 kB of entropy per call
    for (const b of crypto.getRandomValues(new Uint8Array(32_768)))
      text += b.toString(16).padStart(2, '0');
  }
  return text;
}

/**
 * Appends ~200 kB events, with an inline model of each, until the browser refuses: what the
 * refusal was, and what the database holds afterwards (nothing of the refused append).
 */
export async function fillUntilFull(name: string): Promise<unknown> {
  const driver = await open(name);
  let accepted = 0;
  let refusal: { code: string; message: string } | undefined;
  try {
    for (let i = 0; i < 200 && refusal === undefined; i++) {
      try {
        await driver.ledger.append('big', [{ type: 'Blob', data: { i, noise: noise(200_000) } }], {
          expectedVersion: accepted,
          inTransaction: (events, tx) =>
            tx.put('blobs', {
              id: `blob-${i}`,
              tenant: 'default',
              model: { i },
              version: 1,
              position: events[0]!.position,
              updatedAt: 0,
            }),
        });
        accepted++;
      } catch (error) {
        refusal = { code: codeOf(error), message: (error as Error).message };
      }
    }
    const events = await driver.ledger.readAll();
    const models = await driver.store.query('blobs', 'default', {});
    const report = await driver.storage();
    return {
      accepted,
      refusal,
      head: await driver.ledger.headPosition(),
      version: await driver.ledger.streamVersion('big'),
      eventIndexes: events.map((e) => (e.data as { i: number }).i),
      modelIds: models.map((m) => m.id).sort(),
      counts: report.counts,
      usage: report.usage,
    };
  } finally {
    driver.close();
  }
}
