/**
 * The NATS adapter's conformance runs, for any runtime and any way of connecting: the transport
 * suite in core NATS and in JetStream mode, and the ledger suite on the JetStream ledger. Each run
 * keeps to a stream and subject prefix of its own and deletes its streams when its drivers close.
 * Node runs it over WebSocket (`nats-websocket.int.test.ts`), Chromium in a page
 * (`test/browser/nats-page.mjs`), Deno and Bun through the runtimes runner (`nats-runtimes.unit.test.ts`).
 */
import { afterAll, describe } from 'vitest';
import {
  jetstreamDriver,
  type NatsConnectOptions,
  natsTransport,
} from '../../adapters/nats/mod.ts';
import {
  hostileTransportConformance,
  ledgerConformance,
  transportConformance,
} from '../../js/conformance/mod.ts';
import type { Driver } from '../../js/contracts/driver.ts';

/** How the suites connect: `servers` and, when needed, the client's `connect` function. */
export type NatsSuiteConnect = Pick<NatsConnectOptions, 'servers' | 'connect'>;

/** Registers the suites; `label` names the runtime and the way (e.g. "Chromium, WebSocket"). */
export function natsSuites(
  label: string,
  connect: () => NatsConnectOptions,
  options: { jetstreamTransport?: boolean; ledgerRuns?: number } = {},
): void {
  const run = `${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  });

  describe(`NATS on ${label}`, () => {
    hostileTransportConformance(`nats core (${label})`, () => natsTransport(connect()), {
      settleMs: 50,
    });
    transportConformance(
      `nats core (${label})`,
      () => natsTransport({ ...connect(), redelivery: { backoffMs: 1 } }),
      { backPressure: false, requests: true },
    );
    if (options.jetstreamTransport !== false) {
      const stream = `WB_TRANSPORT_${run}`;
      cleanups.push(async () => {
        const t = await natsTransport({
          ...connect(),
          prefix: `wbt_${run}`,
          jetstream: { stream },
        });
        const { jetstreamManager } = await import('@nats-io/jetstream');
        const jsm = await jetstreamManager(t.connection as never);
        await jsm.streams.delete(stream);
        await t.close();
      });
      transportConformance(
        `nats jetstream (${label})`,
        () =>
          natsTransport({
            ...connect(),
            prefix: `wbt_${run}`,
            redelivery: { backoffMs: 1 },
            jetstream: { stream, ackWaitMs: 2_000 },
          }),
        { backPressure: false, numRuns: 5, requests: true, stores: true },
      );
      hostileTransportConformance(
        `nats jetstream (${label})`,
        () =>
          natsTransport({
            ...connect(),
            prefix: `wbt_${run}`,
            jetstream: { stream, ackWaitMs: 2_000 },
          }),
        { settleMs: 50 },
      );
    }
    let made = 0;
    ledgerConformance(
      `jetstream (${label})`,
      async (): Promise<Driver> => {
        const n = made++;
        const stream = `WB_LEDGER_${run}_${n}`;
        const driver = await jetstreamDriver({ ...connect(), stream, prefix: `wbl.${run}.${n}` });
        return {
          ...driver,
          async close() {
            const { jetstreamManager } = await import('@nats-io/jetstream');
            const jsm = await jetstreamManager(driver.ledger.connection as never);
            await jsm.streams.delete(stream).catch(() => undefined);
            await driver.close();
          },
        };
      },
      { numRuns: options.ledgerRuns ?? 10 },
    );
  });
}
