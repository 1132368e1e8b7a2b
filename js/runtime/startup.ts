/**
 * What an app sets up as it is built, beside its command path: where background failures are
 * reported, the indexes its perspectives declare, and the coordinator its instances share work by.
 */
import type { Driver } from '../contracts/driver.ts';
import type { BackgroundFailure, Observer } from '../contracts/observer.ts';
import type { PerspectiveStore } from '../contracts/store.ts';
import { invalidArgument } from '../util/errors.ts';
import { type CoordinateOptions, coordinateSettings } from './coordinate.ts';
import { LazyCoordinator } from './lazy-coordinator.ts';
import type { Registry } from './registry.ts';

/** Reports a background failure to `onError` and to every observer; what they throw is ignored. */
export function background(
  onError: ((failure: BackgroundFailure) => void) | undefined,
  observers: readonly Observer[],
): (failure: BackgroundFailure) => void {
  return (failure) => {
    for (const tell of [onError, ...observers.map((o) => o.onBackgroundError?.bind(o))]) {
      try {
        tell?.(failure);
      } catch {
        // a reporter that fails must not stop the work it reports on
      }
    }
  };
}

/**
 * Tells the store the fields each perspective is queried by; a failure leaves its lens answering
 * by a scan, and is reported. Settles when the stores that build indexes have built them.
 */
export function declareIndexes(
  registry: Registry,
  store: PerspectiveStore,
  report: (failure: BackgroundFailure) => void,
): Promise<void> {
  const declare = store.declare?.bind(store);
  if (declare === undefined) return Promise.resolve();
  const failed =
    (name: string) =>
    (error: unknown): void =>
      report({ source: 'perspective', name, error, outcome: 'scanning' });
  const work: Promise<void>[] = [];
  for (const p of registry.perspectives.values()) {
    const fields = p.indexes ?? []; // a perspective made by hand may have none
    if (fields.length === 0) continue;
    try {
      work.push(Promise.resolve(declare(p.name, fields)).catch(failed(p.name)));
    } catch (error) {
      failed(p.name)(error);
    }
  }
  return Promise.all(work).then(() => undefined);
}

/**
 * The coordinator of an app built with `coordinate`, over its driver's leases: its settings are
 * checked now, its module loads in the background.
 */
export function coordinatorOf(
  driver: Driver,
  options: CoordinateOptions | undefined,
  report: (failure: BackgroundFailure) => void,
): LazyCoordinator | undefined {
  if (options === undefined) return undefined;
  if (driver.leases === undefined) {
    throw invalidArgument(
      `The ${driver.name} driver keeps no leases, so its instances cannot share background work; leave out "coordinate", or use a driver with leases (memory, SQLite, PostgreSQL, NATS).`,
    );
  }
  return new LazyCoordinator(driver.leases, coordinateSettings(options), report);
}
