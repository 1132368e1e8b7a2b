/**
 * The outbox relay under a work coordinator: started only in the instance holding its lease, and
 * stopped there when the lease moves, so one instance at a time reads the outbox.
 */
import type { WorkSharing } from './coordinate.ts';
import type { Relay } from './relay.ts';

/** A relay that runs `start()`'s relay only while this instance holds the lease `name`. */
export function sharedRelay(coordinator: WorkSharing, name: string, start: () => Relay): Relay {
  let current: Relay | undefined;
  // every relay run here, counted live: a round in hand when one stopped still counts
  const runs: Relay[] = [];
  const total = (field: 'delivered' | 'failures' | 'deadLettered'): number =>
    runs.reduce((n, relay) => n + relay[field], 0);
  const stopCurrent = async (): Promise<void> => {
    const relay = current;
    current = undefined;
    if (relay !== undefined) await relay.stop();
  };
  coordinator.add({
    name,
    start: () => {
      if (current !== undefined) return;
      current = start();
      runs.push(current);
    },
    stop: stopCurrent,
  });
  return {
    flush: (): Promise<number> => current?.flush() ?? Promise.resolve(0),
    stop: (): Promise<void> => coordinator.remove(name).then(stopCurrent),
    get delivered(): number {
      return total('delivered');
    },
    get failures(): number {
      return total('failures');
    },
    get deadLettered(): number {
      return total('deadLettered');
    },
    get lastError(): unknown {
      for (let i = runs.length - 1; i >= 0; i--)
        if (runs[i]!.lastError !== undefined) return runs[i]!.lastError;
      return undefined;
    },
  };
}
