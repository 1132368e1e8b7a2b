/** Appending and reading back: every field, numbering, zero events, tenants, odd strings. */
import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import {
  accountEvent,
  accountEvents,
  appended,
  caught,
  ODD_STRINGS,
  range,
  streamId,
} from '../helpers.ts';
import type { NewEvent } from '../whizbang.ts';
import { isWhizbangError, uuidv7 } from '../whizbang.ts';
import type { LedgerContext } from './context.ts';

/** Registers the append tests. */
export function appendSuite({ driver }: LedgerContext): void {
  describe('append', () => {
    it('records every field of an event that brings its own identity', async () => {
      const { ledger } = driver.current;
      const stream = streamId();
      const given = {
        type: 'AccountOpened',
        data: { owner: faker.person.fullName(), iban: faker.finance.iban(), limits: [100, 250] },
        messageId: uuidv7(),
        correlationId: faker.string.uuid(),
        causationId: faker.string.uuid(),
        timestamp: faker.date.past().getTime(),
        metadata: { user: faker.internet.email(), retries: 2, nested: { ok: true } },
      } satisfies NewEvent;
      const result = await ledger.append(stream, [given]);
      const expected = {
        kind: 'event',
        ...given,
        streamId: stream,
        version: 1,
        position: 1,
        tenant: 'default',
      };
      expect(result).toEqual({ streamId: stream, version: 1, position: 1, events: [expected] });
      expect(await ledger.readStream(stream)).toEqual([expected]);
      expect(await ledger.readAll()).toEqual([expected]);
    });

    it('fills in identity when absent: ids, correlation, causation, time, tenant', async () => {
      const { ledger } = driver.current;
      const before = Date.now();
      const result = await ledger.append(streamId(), accountEvents(3));
      const after = Date.now();
      const read = await ledger.readAll();
      expect(read).toEqual(result.events);
      const ids = new Set<string>();
      for (const event of read) {
        expect(typeof event.messageId).toBe('string');
        expect(event.messageId.length).toBeGreaterThan(0);
        ids.add(event.messageId);
        expect(event.correlationId).toBe(event.messageId);
        expect(event.causationId).toBe(event.messageId);
        expect(event.timestamp).toBeGreaterThanOrEqual(before);
        expect(event.timestamp).toBeLessThanOrEqual(after);
        expect(event.tenant).toBe('default');
        expect(event.metadata).toBeUndefined();
        expect(event.kind).toBe('event');
      }
      expect(ids.size).toBe(3);
    });

    it('numbers versions from 1 per stream and positions from 1 across streams', async () => {
      const { ledger } = driver.current;
      const [a, b] = [streamId(), streamId()];
      const first = await ledger.append(a, accountEvents(2));
      const second = await ledger.append(b, accountEvents(3));
      const third = await ledger.append(a, accountEvents(1));
      expect(first).toMatchObject({ streamId: a, version: 2, position: 2 });
      expect(second).toMatchObject({ streamId: b, version: 3, position: 5 });
      expect(third).toMatchObject({ streamId: a, version: 3, position: 6 });
      expect((await ledger.readStream(a)).map((e) => [e.version, e.position])).toEqual([
        [1, 1],
        [2, 2],
        [3, 6],
      ]);
      expect((await ledger.readStream(b)).map((e) => e.version)).toEqual([1, 2, 3]);
      expect((await ledger.readAll()).map((e) => e.position)).toEqual(range(1, 6));
    });

    it('keeps the order of the events of one append', async () => {
      const { ledger } = driver.current;
      const stream = streamId();
      const events = accountEvents(20);
      await ledger.append(stream, events);
      expect((await ledger.readStream(stream)).map(appended)).toEqual(
        events.map((e) => ({ type: e.type, data: e.data })),
      );
    });

    it('keeps event data exactly: nesting, numbers, unicode, empty values, 10 kB', async () => {
      const { ledger } = driver.current;
      const data = {
        nested: { deeper: { deepest: [1, [2, [3, { four: 4 }]]] } },
        numbers: [
          0,
          -1,
          1.5,
          -2.25,
          1e21,
          2 ** 53 - 1,
          -(2 ** 53) + 1,
          5e-324,
          1.7976931348623157e308,
        ],
        text: `quotes ' " \` ; -- % _ \\ ${'🧪'.repeat(3)} 漢字 caf\u00e9 cafe\u0301`,
        flags: [true, false, null],
        empty: { string: '', array: [], object: {} },
        long: faker.string.alpha(10_240),
      };
      await ledger.append('data', [{ type: 'Odd', data }]);
      const [event] = await ledger.readStream('data');
      expect(event?.data).toEqual(data);
    });

    it('zero events write nothing and report the current version and head', async () => {
      const { ledger } = driver.current;
      const stream = streamId();
      await ledger.append(stream, accountEvents(2));
      await ledger.append(streamId(), accountEvents(1));
      const result = await ledger.append(stream, []);
      expect(result).toEqual({ streamId: stream, version: 2, position: 3, events: [] });
      const fresh = await ledger.append(streamId(), []);
      expect(fresh).toMatchObject({ version: 0, position: 3, events: [] });
      expect(await ledger.headPosition()).toBe(3);
      expect(await ledger.streamVersion(stream)).toBe(2);
    });

    it('keeps tenants apart: one stream id in two tenants is two streams', async () => {
      const { ledger } = driver.current;
      const stream = streamId();
      await ledger.append(stream, accountEvents(2), { tenant: 'acme' });
      await ledger.append(stream, accountEvents(1), { tenant: 'globex' });
      await ledger.append(stream, [accountEvent()], { tenant: 'acme', expectedVersion: 2 });
      await ledger.append(stream, [accountEvent()], { expectedVersion: 'no_stream' });

      const acme = await ledger.readStream(stream, { tenant: 'acme' });
      const globex = await ledger.readStream(stream, { tenant: 'globex' });
      const standard = await ledger.readStream(stream);
      expect(acme.map((e) => [e.tenant, e.version, e.position])).toEqual([
        ['acme', 1, 1],
        ['acme', 2, 2],
        ['acme', 3, 4],
      ]);
      expect(globex.map((e) => [e.tenant, e.version, e.position])).toEqual([['globex', 1, 3]]);
      expect(standard.map((e) => [e.tenant, e.version, e.position])).toEqual([['default', 1, 5]]);
      expect(await ledger.streamVersion(stream, { tenant: 'acme' })).toBe(3);
      expect(await ledger.streamVersion(stream, { tenant: 'globex' })).toBe(1);
      expect(await ledger.streamVersion(stream)).toBe(1);
      expect(await ledger.streamVersion(stream, { tenant: 'initech' })).toBe(0);
      expect(await ledger.readStream(stream, { tenant: 'initech' })).toEqual([]);
    });

    it('stores odd stream ids and types exactly, each its own stream', async () => {
      const { ledger } = driver.current;
      for (const odd of ODD_STRINGS) {
        await ledger.append(odd, [{ type: odd, data: { odd } }], { expectedVersion: 'no_stream' });
      }
      for (const odd of ODD_STRINGS) {
        const events = await ledger.readStream(odd);
        expect(events).toHaveLength(1);
        expect(events[0]?.streamId).toBe(odd);
        expect(events[0]?.type).toBe(odd);
        expect(events[0]?.data).toEqual({ odd });
        expect(await ledger.streamVersion(odd)).toBe(1);
      }
      const all = await ledger.readAll();
      expect(all.map((e) => e.streamId)).toEqual([...ODD_STRINGS]);
      expect(await ledger.readAll({ types: ['percent%'] })).toHaveLength(1);
      expect(await ledger.readStream('percent%under')).toEqual([]);
    });

    it('stores odd tenants exactly and keeps them apart', async () => {
      const { ledger } = driver.current;
      const tenants = ODD_STRINGS.slice(0, 14).filter((s) => ODD_STRINGS.includes(s));
      for (const tenant of tenants) await ledger.append('s', [accountEvent()], { tenant });
      for (const tenant of tenants) {
        const events = await ledger.readStream('s', { tenant });
        expect(events.map((e) => e.tenant)).toEqual([tenant]);
        expect((await ledger.readAll({ tenant })).map((e) => e.tenant)).toEqual([tenant]);
      }
      expect(await ledger.readStream('s')).toEqual([]);
    });

    // one policy on every driver: none keeps U+0000 (PostgreSQL text cannot)
    it('refuses U+0000 in a stream id, type or tenant with INVALID_ARGUMENT, writing nothing', async () => {
      const { ledger } = driver.current;
      for (const [stream, type, tenant] of [
        ['nul\0byte', 'T', undefined],
        ['s', 'nul\0byte', undefined],
        ['s', 'T', 'nul\0byte'],
      ] as const) {
        const error = await caught(() =>
          ledger.append(stream, [{ type, data: {} }], tenant === undefined ? {} : { tenant }),
        );
        expect(isWhizbangError(error, 'INVALID_ARGUMENT')).toBe(true);
      }
      expect(await ledger.headPosition()).toBe(0);
    });

    it('rejects an empty stream id with INVALID_ARGUMENT and writes nothing', async () => {
      const { ledger } = driver.current;
      const onAppend = await caught(() => ledger.append('', accountEvents(1)));
      expect(onAppend).toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(isWhizbangError(onAppend, 'INVALID_ARGUMENT')).toBe(true);
      const onRead = await caught(() => ledger.readStream(''));
      expect(isWhizbangError(onRead, 'INVALID_ARGUMENT')).toBe(true);
      expect(await ledger.headPosition()).toBe(0);
    });
  });
}
