/**
 * Stream groups on the JetStream ledger: a grouped stream's commits go on
 * `<prefix>.<tenant>.<group>.<stream>`, every read finds them, `readGroups` reads some groups
 * merged by position through one consumer per group, a ledger without the group function still
 * reads the whole log, and a commit republished under another group's subject is not read as one.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers } from '@nats-io/nats-core';
import { afterAll, describe, expect, it } from 'vitest';
import { jetstreamLedger } from '../../adapters/nats/node.ts';
import type { WhizbangError } from '../../js/util/errors.ts';
import { NATS_URL, natsReachable } from '../support/services.ts';

const up = await natsReachable('NATS JetStream ledger (stream groups)');
const run = `${process.pid}_${Date.now().toString(36)}`;
const stream = `WB_GROUPS_${run}`;
const prefix = `wbg.${run}`;
const group = (id: string) => (id.startsWith('list-') ? id.split('/')[0] : undefined);
const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

const e = (type: string, n: number) => ({ type, data: { n } });

describe.skipIf(!up)('the JetStream ledger with stream groups', () => {
  it('puts a group in the subject, reads groups merged by position, and checks the group', async () => {
    const reports: WhizbangError[] = [];
    const ledger = await jetstreamLedger({
      servers: NATS_URL,
      stream,
      prefix,
      group,
      onError: (error) => reports.push(error),
    });
    cleanup.push(async () => {
      const jsm = await jetstreamManager(ledger.connection as never);
      await jsm.streams.delete(stream).catch(() => undefined);
      await ledger.close();
    });
    await ledger.append('list-1', [e('A', 1), e('A', 2)]);
    await ledger.append('other', [e('O', 3)]);
    await ledger.append('list-2', [e('B', 4)]);
    await ledger.append('list-1/items', [e('I', 5)]);
    await ledger.append('list-1', [e('A', 6)], { expectedVersion: 2 });
    await ledger.append('list-2', [e('B', 7)], { tenant: 'other-tenant' });

    const jsm = await jetstreamManager(ledger.connection as never);
    const first = await jsm.streams.getMessage(stream, { seq: 1 });
    expect(first?.subject).toBe(`${prefix}.default.list-1.list-1`);
    expect((await jsm.streams.getMessage(stream, { seq: 2 }))?.subject).toBe(
      `${prefix}.default.other`,
    );
    expect((await ledger.readStream('list-1')).map((x) => x.version)).toEqual([1, 2, 3]);
    expect(await ledger.streamVersion('list-1')).toBe(3);
    expect(ledger.groupOf('list-1/items')).toBe('list-1');
    expect((await ledger.readAll()).map((x) => (x.data as { n: number }).n)).toEqual([
      1, 2, 3, 4, 5, 6, 7,
    ]);

    const n = (events: { data: unknown }[]) => events.map((x) => (x.data as { n: number }).n);
    expect(n(await ledger.readGroups({ tenant: 'default', groups: ['list-1'] }))).toEqual([
      1, 2, 5, 6,
    ]);
    expect(
      n(await ledger.readGroups({ tenant: 'default', groups: ['list-2', 'list-1'], from: 2 })),
    ).toEqual([2, 4, 5, 6]);
    expect(
      n(await ledger.readGroups({ tenant: 'default', groups: ['list-1', 'list-2'], limit: 3 })),
    ).toEqual([1, 2, 4]);
    expect(n(await ledger.readGroups({ tenant: 'default', groups: ['list-2'], to: 3 }))).toEqual(
      [],
    );
    expect(n(await ledger.readGroups({ tenant: 'other-tenant', groups: ['list-2'] }))).toEqual([7]);
    expect(await ledger.readGroups({ tenant: 'default', groups: ['nothing'] })).toEqual([]);

    // a ledger without the group function reads the same log
    const plain = await jetstreamLedger({ servers: NATS_URL, stream, prefix });
    cleanup.push(() => plain.close());
    expect((await plain.readAll()).length).toBe(7);
    expect((await plain.readStream('other')).length).toBe(1);

    // list-1's commit, republished (a new id) under list-2's group: not a commit of list-2's group
    expect(reports).toEqual([]);
    const h = headers();
    for (const k of ['Whizbang-Position', 'Whizbang-Version', 'Whizbang-Count']) {
      h.set(k, first!.header.get(k));
    }
    h.set('Nats-Msg-Id', crypto.randomUUID());
    await jetstream(ledger.connection as never).publish(
      `${prefix}.default.list-2.list-1`,
      first!.data,
      { headers: h },
    );
    expect(n(await ledger.readGroups({ tenant: 'default', groups: ['list-2'] }))).toEqual([4]);
    expect(reports.map((r) => r.message).join()).toMatch(/another tenant or stream/);
  }, 30_000);
});
