/**
 * An exclusive subscription under a work coordinator: the app listens on a durable queue in one
 * instance at a time (the one holding the lease `listen:<queue>`), for messages that must be
 * handled in order by a single consumer; another instance takes over when that one goes.
 */
import type { TransportSubscription } from '../contracts/transport.ts';
import type { WorkSharing } from './coordinate.ts';

/** Subscribes with `listen()` only while this instance holds the lease `name`. */
export function sharedListen(
  coordinator: WorkSharing,
  name: string,
  listen: () => Promise<TransportSubscription>,
): TransportSubscription {
  let current: Promise<TransportSubscription> | undefined;
  const stop = async (): Promise<void> => {
    const subscription = current;
    current = undefined;
    if (subscription !== undefined) await (await subscription).close();
  };
  coordinator.add({
    name,
    start: async () => {
      current ??= listen();
      try {
        await current;
      } catch (error) {
        current = undefined; // tried again at the next heartbeat
        throw error;
      }
    },
    stop,
  });
  return { close: () => coordinator.remove(name).then(stop) };
}
