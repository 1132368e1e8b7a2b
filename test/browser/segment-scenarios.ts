/**
 * Steps of the segment store's scenarios that the Node side (test/browser/run.mjs) drives across
 * a reload: sealing started, the page reloaded in the middle of it, and what the next page finds.
 */
import { type IndexedDbDriver, indexedDbDriver } from '../../adapters/indexeddb/mod.ts';

const open = (name: string): Promise<IndexedDbDriver> =>
  indexedDbDriver({ name, segments: { size: 256, background: false } });

let sealing: IndexedDbDriver | undefined;

/** Writes `count` events over 7 streams (not sealed); returns the head. */
export async function segmentWrite(name: string, count: number): Promise<number> {
  const driver = await open(name);
  try {
    let head = 0;
    for (let i = 0; i < count; i += 64) {
      const events = Array.from({ length: Math.min(64, count - i) }, (_, j) => ({
        type: 'Noted',
        data: { i: i + j, text: `note ${i + j}` },
      }));
      head = (await driver.ledger.append(`s${(i / 64) % 7}`, events)).position;
    }
    return head;
  } finally {
    driver.close();
  }
}

/** Starts sealing everything, not awaited: the Node side reloads the page while it runs. */
export async function segmentSealStart(name: string): Promise<void> {
  sealing = await open(name);
  void sealing.segments!.seal({ all: true }).catch(() => {});
}

/** How many segments are committed so far (read on a connection of its own). */
export async function segmentCount(name: string): Promise<number> {
  const driver = await indexedDbDriver({ name, broadcast: false });
  try {
    return await new Promise<number>((resolve, reject) => {
      const r = driver.database.transaction('segments').objectStore('segments').count();
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  } finally {
    driver.close();
  }
}

/** What a fresh page finds: positions and data of every event, the index's check, then sealing the rest. */
export async function segmentRead(name: string): Promise<unknown> {
  const driver = await open(name);
  try {
    const events = await driver.ledger.readAll();
    const verified = await driver.segments!.verify();
    const sealedNow = await driver.segments!.seal({ all: true });
    const after = await driver.ledger.readAll();
    return {
      positions: events.map((e) => e.position),
      data: events.map((e) => (e.data as { i: number }).i),
      streams: events.map((e) => `${e.streamId}:${e.version}`),
      verified,
      sealedNow,
      same: JSON.stringify(after) === JSON.stringify(events),
    };
  } finally {
    driver.close();
  }
}
