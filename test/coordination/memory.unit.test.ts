/** The work coordinator on the memory driver: the lease suite, and several apps on one driver. */
import { describe, expect, it } from 'vitest';
import { leaseConformance } from '../../js/conformance/lease.ts';
import {
  defineEvent,
  isWhizbangError,
  memoryDriver,
  memoryLeases,
  memoryTransport,
  payload,
  whizbang,
} from '../../js/mod.ts';
import { takeoverAfterSilence } from './scenarios.ts';
import { coordinationScenarios } from './suite.ts';

leaseConformance('memory', () => {
  const leases = memoryLeases();
  return { a: leases, b: leases };
});

describe('work coordinator on one memory driver', () => {
  coordinationScenarios(() => {
    const driver = memoryDriver();
    return () => ({ ...driver, close: () => {} });
  }, false);

  it('listens exclusively in one instance at a time', async () => {
    const transport = memoryTransport();
    const Ping = defineEvent('Ping', payload<{ n: number }>());
    const sender = whizbang('sender').route(Ping, { to: 'outbox' }).build();
    const relay = sender.relay(transport, { pollMs: 10 });
    const shared = memoryDriver();
    const heard: string[] = [];
    const receiver = (name: string) =>
      whizbang('receiver')
        .on(Ping, () => {
          heard.push(name);
        })
        .build({ driver: { ...shared, close: () => {} }, coordinate: { instance: name } });
    const a = receiver('a');
    const b = receiver('b');
    await a.listen(transport, { exclusive: true });
    await b.listen(transport, { exclusive: true });
    for (let i = 0; i < 3; i++) for (const app of [a, b]) await app.coordination!.beat();
    const [holder, other] = a.coordination!.held.length > 0 ? [a, b] : [b, a];
    expect(holder.coordination!.held).toEqual(['listen:receiver']);
    expect(other.coordination!.held).toEqual([]);
    await sender.publish(Ping({ n: 1 }), { stream: 'pings' });
    await relay.flush();
    await holder.close();
    await other.coordination!.beat();
    await sender.publish(Ping({ n: 2 }), { stream: 'pings' });
    await relay.flush();
    expect(heard).toEqual([holder.coordination!.instance, other.coordination!.instance]);
    await relay.stop();
    await other.close();
  });

  it('takes over the work of a silent owner once its lease expires', async () => {
    const driver = memoryDriver();
    await takeoverAfterSilence(
      () => ({ ...driver, close: () => {} }),
      async (name, ttl) => {
        expect(driver.leases.acquire(name, 'ghost', ttl)).toBeDefined();
      },
    );
  });

  it('refuses coordinate on a driver without leases, and bad settings', () => {
    const { leases: _, ...bare } = memoryDriver();
    for (const [driver, coordinate] of [
      [bare, true],
      [memoryDriver(), { ttlMs: 100, heartbeatMs: 100 }],
      [memoryDriver(), { ttlMs: -1 }],
    ] as const) {
      let error: unknown;
      try {
        whizbang('x').build({ driver, coordinate });
      } catch (e) {
        error = e;
      }
      expect(isWhizbangError(error, 'INVALID_ARGUMENT')).toBe(true);
    }
  });
});
