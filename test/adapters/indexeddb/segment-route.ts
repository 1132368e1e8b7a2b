/**
 * Reads by types over sealed segments are routed by the core (only the wanted events decoded):
 * a perspective's rebuild, and an async perspective's catch-up, over them build the same models as
 * over the per-record driver — upcasters applied, every tenant's models — and parse fewer payloads
 * than there are events;
 * typed pages (from, limit, tenant) equal the per-record driver's; a damaged segment is still
 * CORRUPT_DATA, also where none of its events is wanted. Imports nothing of Node.
 */
import { describe, expect, it } from 'vitest';
import type { IndexedDbDriver } from '../../../adapters/indexeddb/mod.ts';
import { SCHEMA_VERSION } from '../../../adapters/indexeddb/mod.ts';
import { caught } from '../../../js/conformance/helpers.ts';
import {
  defineEvent,
  definePerspective,
  payload,
  type RecordedEvent,
  whizbang,
} from '../../../js/mod.ts';
import { isCorruptDataError } from '../../../js/util/errors.ts';
import { type IndexedDbContext, openRaw } from './context.ts';

type V1 = { id: string; name: string };
type V2 = { id: string; first: string; last: string };
const Registered = defineEvent('Registered', payload<V2>(), {
  version: 2,
  upcast: {
    1: (v1: V1): V2 => {
      const [first = '', ...rest] = v1.name.split(' ');
      return { id: v1.id, first, last: rest.join(' ') };
    },
  },
});
const Noted = defineEvent('Noted', payload<{ id: string; n: number }>());
const Other = defineEvent('Other', payload<{ n: number }>());
const people = definePerspective({
  name: 'people',
  events: [Registered, Noted],
  key: (e) => e.data.id,
  initial: () => ({ name: '', notes: 0 }),
  apply: (m, e) =>
    e.type === 'Registered'
      ? { ...m, name: `${e.data.last}, ${e.data.first}` }
      : { ...m, notes: m.notes + (e.data as { n: number }).n },
});

/** The same history in any driver: two tenants, old and new event versions, many unwanted. */
async function seed(d: IndexedDbDriver): Promise<void> {
  for (let i = 0; i < 12; i++) {
    const tenant = i % 3 === 0 ? { tenant: 't2' } : {};
    await d.ledger.append(
      `person-${i}`,
      [
        i % 2 === 0
          ? { type: 'Registered', data: { id: `${i}`, name: `Ada ${i} Lovelace` } }
          : {
              type: 'Registered',
              data: { id: `${i}`, first: 'Alan', last: `Turing ${i}` },
              metadata: { schemaVersion: 2 },
            },
        ...Array.from({ length: 7 }, (_, n) => ({ type: 'Other', data: { n } })),
        { type: 'Noted', data: { id: `${i}`, n: i } },
      ],
      tenant,
    );
  }
}

/** The same perspective, applied in the background: it catches up from position 1 at start. */
const peopleLater = definePerspective({
  name: 'people-later',
  mode: 'async',
  events: [Registered, Noted],
  key: (e) => e.data.id,
  initial: () => ({ name: '', notes: 0 }),
  apply: (m, e) =>
    e.type === 'Registered'
      ? { ...m, name: `${e.data.last}, ${e.data.first}` }
      : { ...m, notes: m.notes + (e.data as { n: number }).n },
});

/** Every model of the async perspective, both tenants, once it caught up with the ledger. */
async function caughtUp(d: IndexedDbDriver): Promise<unknown> {
  const app = whizbang().perspective(peopleLater).events(Other).build({ driver: d });
  try {
    await app.waitForPerspectives(undefined, 10_000);
    const lens = app.lens(peopleLater);
    return { default: await lens.query(), t2: await lens.query({ tenant: 't2' }) };
  } finally {
    await app.close();
  }
}

/** Calls `work` counting the payloads parsed meanwhile. */
async function counted<T>(work: () => Promise<T>): Promise<{ result: T; parses: number }> {
  const parse = JSON.parse;
  let parses = 0;
  JSON.parse = ((text: string, reviver?: Parameters<typeof parse>[1]) => {
    parses++;
    return parse(text, reviver);
  }) as typeof JSON.parse;
  try {
    return { result: await work(), parses };
  } finally {
    JSON.parse = parse;
  }
}

/** What two drivers fed the same history agree on (ids and timestamps are each one's own). */
const same = (events: readonly RecordedEvent[]) =>
  events.map(({ messageId, correlationId, causationId, timestamp, ...rest }) => rest);

/** Every model of the perspective, for both tenants, after a rebuild. */
async function rebuilt(d: IndexedDbDriver): Promise<unknown> {
  const app = whizbang().perspective(people).events(Other).build({ driver: d });
  try {
    await app.rebuild(people);
    const lens = app.lens(people);
    return { default: await lens.query(), t2: await lens.query({ tenant: 't2' }) };
  } finally {
    await app.close();
  }
}

export function segmentRouteSuite({ label, env, open }: IndexedDbContext): void {
  describe(`${label}: reads by types routed through the core`, () => {
    const manual = { segments: { size: 8, background: false } } as const;
    const sealedAndPlain = async () => {
      const name = env.freshName();
      const sealing = await open(name, manual);
      await seed(sealing);
      expect(await sealing.segments!.seal()).toBe(104);
      sealing.close();
      const plain = await open(env.freshName(), { segments: false });
      await seed(plain);
      return { name, plain };
    };

    it('rebuilds the same models as the per-record driver, decoding only wanted events', async () => {
      const { name, plain } = await sealedAndPlain();
      // a fresh connection: nothing decoded lately, every segment read is routed
      const sealed = await open(name, manual);
      try {
        const parse = JSON.parse;
        let parses = 0;
        JSON.parse = ((text: string, reviver?: Parameters<typeof parse>[1]) => {
          parses++;
          return parse(text, reviver);
        }) as typeof JSON.parse;
        let models: unknown;
        try {
          models = await rebuilt(sealed);
        } finally {
          JSON.parse = parse;
        }
        expect(models).toEqual(await rebuilt(plain));
        const t2 = (models as { t2: { name: string }[] }).t2;
        expect(t2.map((m) => m.name).sort()).toContain('0 Lovelace, Ada');
        expect(t2.length).toBe(4);
        // 24 wanted of 108 events (84 of type Other are never parsed)
        expect(parses).toBeLessThan(84);
      } finally {
        sealed.close();
        plain.close();
      }
    });

    it('catches an async perspective up to the same models, decoding only wanted events', async () => {
      const { name, plain } = await sealedAndPlain();
      const { result, parses } = await counted(async () => caughtUp(await open(name, manual)));
      expect(result).toEqual(await caughtUp(plain));
      expect((result as { default: unknown[] }).default.length).toBe(8);
      expect(parses).toBeLessThan(84);
    });

    it('answers typed pages (from, limit, tenant) as the per-record driver', async () => {
      const { name, plain } = await sealedAndPlain();
      try {
        for (const options of [
          { types: ['Registered'] },
          { types: ['Noted', 'Registered'], tenant: 't2' },
          { types: ['Noted'], from: 30, limit: 3 },
          { types: ['Other'], from: 7, limit: 20 },
          { types: ['Registered', 'Other'], tenant: 'default', from: 50 },
          { types: ['Nothing'] },
        ]) {
          const sealed = await open(name, manual); // fresh: no segment decoded lately
          try {
            expect(same(await sealed.ledger.readAll(options))).toEqual(
              same(await plain.ledger.readAll(options)),
            );
          } finally {
            sealed.close();
          }
        }
      } finally {
        plain.close();
      }
    });

    it('a damaged segment is CORRUPT_DATA, also where none of its events is wanted', async () => {
      const { name, plain } = await sealedAndPlain();
      plain.close();
      // the segment at 1..8 holds one Registered and seven Other events: a byte of the last's data
      const db = await openRaw(env.indexedDB, name, SCHEMA_VERSION);
      const tx = db.transaction('segments', 'readwrite');
      const store = tx.objectStore('segments');
      const get = store.get(1);
      get.onsuccess = () => {
        const record = get.result as { bytes: Uint8Array };
        const bytes = record.bytes.slice();
        bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0x20;
        store.put({ ...record, bytes }, 1);
      };
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onabort = () => reject(tx.error);
      });
      db.close();
      const sealed = await open(name, manual);
      try {
        // no Noted event in the damaged segment: the sealed index's types skip it
        expect((await sealed.ledger.readAll({ types: ['Noted'] })).length).toBe(12);
        for (const read of [
          // the segment holds a Registered event: it is fetched, and its damage found
          () => sealed.ledger.readAll({ types: ['Registered'] }),
          () => rebuilt(sealed),
        ]) {
          const error = await caught(read);
          expect(isCorruptDataError(error) ? (error as { code: string }).code : error).toBe(
            'CORRUPT_DATA',
          );
          expect((error as Error).message).toContain('segment at position 1');
        }
      } finally {
        sealed.close();
      }
    });
  });
}
