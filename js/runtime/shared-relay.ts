/**
 * The outbox relay under a work coordinator: started only in the instance holding its lease, and
 * stopped there when the lease moves, so one instance at a time reads the outbox.
 */
import type { Coordinator } from './coordinator.ts';
import type { Relay } from './relay.ts';

/** A relay that runs `start()`'s relay only while this instance holds the lease `name`. */
export function sharedRelay(coordinator: Coordinator, name: string, start: () => Relay): Relay {
  let current: Relay | undefined;
  const past = { delivered: 0, failures: 0, deadLettered: 0 };
  let lastError: unknown;
  const stopCurrent = async (): Promise<void> => {
    const relay = current;
    current = undefined;
    if (relay === undefined) return;
    await relay.stop();
    past.delivered += relay.delivered;
    past.failures += relay.failures;
    past.deadLettered += relay.deadLettered;
    lastError = relay.lastError ?? lastError;
  };
  coordinator.add({
    name,
    start: () => {
      current ??= start();
    },
    stop: stopCurrent,
  });
  return {
    flush: (): Promise<number> => current?.flush() ?? Promise.resolve(0),
    stop: (): Promise<void> => coordinator.remove(name).then(stopCurrent),
    get delivered(): number {
      return past.delivered + (current?.delivered ?? 0);
    },
    get failures(): number {
      return past.failures + (current?.failures ?? 0);
    },
    get deadLettered(): number {
      return past.deadLettered + (current?.deadLettered ?? 0);
    },
    get lastError(): unknown {
      return current?.lastError ?? lastError;
    },
  };
}
