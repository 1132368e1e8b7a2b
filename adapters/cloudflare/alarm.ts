/**
 * The outbox relay of a Durable Object, woken by the object's alarm instead of a poll timer (an
 * object sleeps between requests; its alarm wakes it). Call {@link wakeRelay} after a request that
 * may have written outbox rows, and {@link relayOnAlarm} from the object's `alarm()` handler.
 *
 * Delivery: at least once. A row is deleted only after the transport took it; an alarm whose
 * handler throws is retried by the runtime (with backoff, up to six times), and a row the transport
 * refused stays for the next alarm, which is set while rows wait.
 */
import type { OutboxStore, Relay, RelayOptions, Transport } from '../../js/mod.ts';

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

/** Options of {@link relayOnAlarm}: the relay's, and when to look again while records wait. */
export interface AlarmRelayOptions extends RelayOptions {
  /** How long after an alarm that left records waiting the next one runs, ms (default 1000). */
  readonly retryMs?: number;
}

/**
 * Delivers what the outbox holds through a relay of `app` to `transport`, stops it (an object
 * keeps no timer between alarms), and sets the alarm again when records are still waiting (a
 * transport that is down, a record retried later). Returns how many were delivered.
 */
export async function relayOnAlarm(
  app: { relay(transport: Transport, options?: RelayOptions): Relay },
  transport: Transport,
  outbox: OutboxStore,
  storage: AlarmStorage,
  options: AlarmRelayOptions = {},
): Promise<number> {
  const { retryMs = 1000, ...relayOptions } = options;
  const relay = app.relay(transport, relayOptions);
  let delivered: number;
  try {
    delivered = await relay.flush();
  } finally {
    await relay.stop();
  }
  const { outbox: waiting } = await outbox.counts();
  if (waiting > 0) await storage.setAlarm(Date.now() + retryMs);
  return delivered;
}
