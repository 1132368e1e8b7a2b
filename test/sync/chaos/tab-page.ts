/**
 * The chaos run's Chromium replica (bundled for the page, see `tab.ts`): the bank on IndexedDB,
 * the JetStream log over WebSocket. When an armed point is reached it dies: from then on it
 * reaches nothing and answers nothing, and the run (which looks every 50 ms) closes the tab.
 */
import { wsconnect } from '@nats-io/nats-core';
import { indexedDbDriver } from '../../../adapters/indexeddb/mod.ts';
import { jetstreamLedger } from '../../../adapters/nats/mod.ts';
import type { Answer, Order } from './protocol.ts';
import { chaosReplica } from './replica-core.ts';

let obey: ((order: Order) => Promise<Answer>) | undefined;
let dead = false;

(globalThis as Record<string, unknown>).chaosTab = {
  /** Whether an armed point was reached. */
  dead: () => dead,
  async open(o: { url: string; name: string; stream: string; prefix: string }): Promise<void> {
    const shared = await jetstreamLedger({
      servers: o.url,
      connect: wsconnect,
      stream: o.stream,
      prefix: o.prefix,
    });
    const alive = shared;
    const guarded = new Proxy(alive, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (typeof value !== 'function' || key === 'close' || key === 'watch') return value;
        return (...args: unknown[]) => {
          if (dead) throw new Error('dead (chaos)');
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    obey = chaosReplica({
      shared: guarded,
      driver: await indexedDbDriver({ name: o.name }),
      die: () => {
        dead = true;
        throw new Error('killed (chaos)');
      },
    }).obey;
  },
  async obey(order: Order): Promise<Answer> {
    if (dead || obey === undefined) return { re: 'dead' };
    try {
      const answer = await obey(order);
      return dead ? { re: 'dead' } : answer;
    } catch (error) {
      return dead ? { re: 'dead' } : { re: 'failed', error: String(error) };
    }
  },
};
(globalThis as Record<string, unknown>).whizbangPage = { ready: true };
