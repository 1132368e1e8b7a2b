/**
 * The JetStream ledger runs the Ledger conformance suite on the real server: each fresh driver
 * gets a stream and subject prefix of its own, deleted when the driver closes.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type JetStreamLedger,
  jetstreamDriver,
  jetstreamLedger,
} from '../../adapters/nats/node.ts';
import { accountEvent, accountEvents, caught, range } from '../../js/conformance/helpers.ts';
import { ledgerConformance } from '../../js/conformance/mod.ts';
import type { Driver } from '../../js/contracts/driver.ts';
import { isConcurrencyError } from '../../js/util/errors.ts';
import { NATS_URL, natsReachable } from '../support/services.ts';

const up = await natsReachable('NATS JetStream ledger');
const run = `${process.pid}_${Date.now().toString(36)}`;
let nc: NatsConnection;
let made = 0;

beforeAll(async () => {
  if (up) nc = await connect({ servers: NATS_URL });
});
afterAll(async () => {
  await nc?.close();
});

/** A driver on a stream of its own, deleted when the driver closes. */
async function fresh(): Promise<Driver> {
  const n = made++;
  const stream = `WB_LEDGER_${run}_${n}`;
  const driver = await jetstreamDriver({
    connection: nc,
    stream,
    prefix: `wbl.${run}.${n}`,
  });
  return {
    ...driver,
    async close() {
      await driver.close();
      await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
    },
  };
}

describe.skipIf(!up)('NATS JetStream ledger', () => {
  ledgerConformance('jetstream', fresh, { numRuns: 25 });
});

describe.skipIf(!up)('JetStream ledger on the wire', () => {
  /** Two ledgers (two connections, as two processes) on one stream; deleted after. */
  async function pair(): Promise<[JetStreamLedger, JetStreamLedger, () => Promise<void>]> {
    const n = made++;
    const stream = `WB_LEDGER_${run}_${n}`;
    const options = { servers: NATS_URL, stream, prefix: `wbl.${run}.${n}` };
    const a = await jetstreamLedger(options);
    const b = await jetstreamLedger(options);
    return [
      a,
      b,
      async () => {
        await a.close();
        await b.close();
        await (await jetstreamManager(nc)).streams.delete(stream);
      },
    ];
  }

  it('a stale expectation from another process is refused by the server: ConcurrencyError with the actual version', async () => {
    const [a, b, done] = await pair();
    try {
      await a.append('acct', [accountEvent()]);
      await a.append('acct', [accountEvent()], { expectedVersion: 1 }); // a now predicts version 2
      await b.append('acct', [accountEvent(), accountEvent()], { expectedVersion: 2 });
      const error = await caught(() => a.append('acct', [accountEvent()], { expectedVersion: 2 }));
      expect(isConcurrencyError(error)).toBe(true);
      expect(error).toMatchObject({ streamId: 'acct', expected: 2, actual: 4 });
      // a's view of the log's tail is stale too: the append lands after b's, gapless
      const next = await a.append('other', [accountEvent()]);
      expect(next.position).toBe(5);
      const last = await a.append('acct', [accountEvent()], { expectedVersion: 4 });
      expect([last.version, last.position]).toEqual([5, 6]);
      expect((await b.readAll()).map((e) => e.position)).toEqual(range(1, 6));
    } finally {
      await done();
    }
  });

  it('two processes appending at once get gapless positions, each commit whole', async () => {
    const [a, b, done] = await pair();
    try {
      const writes = range(1, 40).map((i) =>
        (i % 2 === 0 ? a : b).append(`s${i % 5}`, accountEvents(1 + (i % 3))),
      );
      const results = await Promise.all(writes);
      const all = await a.readAll();
      expect(all.map((e) => e.position)).toEqual(range(1, all.length));
      expect(all.length).toBe(results.reduce((n, r) => n + r.events.length, 0));
      for (const r of results) {
        const positions = r.events.map((e) => e.position);
        expect(positions).toEqual(range(positions[0]!, positions[0]! + positions.length - 1));
        expect(all.slice(positions[0]! - 1, r.position)).toEqual(r.events);
      }
      for (const s of range(0, 4)) {
        const versions = (await b.readStream(`s${s}`)).map((e) => e.version);
        expect(versions).toEqual(range(1, versions.length));
      }
    } finally {
      await done();
    }
  });

  it('one message per commit: readable subject tokens, the commit id as Nats-Msg-Id, placement headers', async () => {
    const [a, , done] = await pair();
    try {
      await a.append('account-1', accountEvents(3), { tenant: 'acme' });
      await a.append('with.dots and spaces', accountEvents(1));
      const jsm = await jetstreamManager(nc);
      const stream = (await jsm.streams.find(`wbl.${run}.*.>`).catch(() => undefined)) ?? '';
      const info = await jsm.streams.info(stream);
      expect(info.state.messages).toBe(2);
      const first = await jsm.streams.getMessage(stream, { seq: 1 });
      expect(first?.subject.endsWith('.acme.account-1')).toBe(true);
      expect(first?.header.get('Nats-Msg-Id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(
        ['Whizbang-Position', 'Whizbang-Version', 'Whizbang-Count'].map((h) =>
          first?.header.get(h),
        ),
      ).toEqual(['1', '1', '3']);
      const second = await jsm.streams.getMessage(stream, { seq: 2 });
      expect(second?.subject).toMatch(/\.default\.~[A-Za-z0-9_-]{43}$/);
      expect(JSON.parse(second!.string()).stream).toBe('with.dots and spaces');
    } finally {
      await done();
    }
  });
});
