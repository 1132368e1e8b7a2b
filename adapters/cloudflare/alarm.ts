/**
 * The outbox relay of a Durable Object, woken by the object's alarm instead of a poll timer (an
 * object sleeps between requests; its alarm wakes it). Call {@link wakeRelay} after a request that
 * may have written outbox rows, and {@link relayOnAlarm} from the object's `alarm()` handler.
 *
 * Delivery: at least once. A row is deleted only after the transport took it; an alarm whose
 * handler throws is retried by the runtime (with backoff, up to six times), and a row the transport
 * refused stays for the next alarm, which is set while rows wait.
 */
import type { OutboxStore, Relay } from '../../js/mod.ts';

/** The part of `ctx.storage` the alarm uses. */
export interface AlarmStorage {
  /** When the alarm is set for, or null. */
  getAlarm(): Promise<number | null>;
  /** Sets the alarm (one per object). */
  setAlarm(at: number): Promise<void>;
}

/** Sets the alarm to run now unless it is set already (cheap: call it after every command). */
export async function wakeRelay(storage: AlarmStorage): Promise<void> {
  if ((await storage.getAlarm()) === null) await storage.setAlarm(Date.now());
}

/**
 * Delivers what the outbox holds through `relay` (an `app.relay(transport)`), then sets the alarm
 * again `retryMs` later (default 1000) when records are still waiting. Returns how many were
 * delivered.
 */
export async function relayOnAlarm(
  relay: Relay,
  outbox: OutboxStore,
  storage: AlarmStorage,
  retryMs = 1000,
): Promise<number> {
  const delivered = await relay.flush();
  const { outbox: waiting } = await outbox.counts();
  if (waiting > 0) await storage.setAlarm(Date.now() + retryMs);
  return delivered;
}
