/**
 * Sync under driver layers (`protect(offlineDriver(…))`): sync moves the stored form (sealed)
 * between the offline driver's ledger and the shared log, and appends others' events through the
 * layers so the app's handlers see them as the app does (opened). At the start of each round a
 * layer learns what changed on the shared side (keys forgotten elsewhere): the read models of the
 * types it names are marked for a rebuild before the change is applied here, so a crash between
 * the two still rebuilds.
 */
import type { Driver, DriverLayer } from '../contracts/driver.ts';
import type { Ledger } from '../contracts/ledger.ts';
import { isOfflineDriver, type OfflineDriver } from './driver.ts';
import type { Counts, SyncParts } from './parts.ts';
import { CURSOR, getCursor, putCursor, row, SYNC_TENANT, type SyncCursor } from './records.ts';

/** The offline driver under an app's driver, and the layers above it (outermost first). */
export interface Layered {
  readonly driver: OfflineDriver;
  readonly layers: readonly DriverLayer[];
}

/** The offline driver under `driver`'s layers; undefined when there is none. */
export function unlayer(driver: Driver): Layered | undefined {
  const layers: DriverLayer[] = [];
  let at: Driver | undefined = driver;
  while (at !== undefined && !isOfflineDriver(at)) {
    const layer: DriverLayer | undefined = at.layer;
    if (layer === undefined) return undefined;
    layers.push(layer);
    at = layer.inner;
  }
  return at === undefined ? undefined : { driver: at, layers };
}

/** `ledger` seen through the layers (the innermost applied first). */
export function through(layers: readonly DriverLayer[], ledger: Ledger): Ledger {
  return layers.reduceRight((l, layer) => layer.over(l), ledger);
}

// a layer's cursor into the shared side's changes, beside sync's own cursor
const layerRow = (i: number): string => `layer-${i}`;

/**
 * Asks each layer what changed on the shared side since the last round, and applies it: perspectives
 * of the types named are marked for a rebuild first (`due` tells the rebase), then the change is
 * applied, then the layer's cursor moves.
 */
export async function catchUp(parts: SyncParts, report: Counts, due: () => void): Promise<void> {
  const { store } = parts;
  for (let i = 0; i < parts.layers.length; i++) {
    const layer = parts.layers[i]!;
    if (layer.changes === undefined) continue;
    report.forgotten ??= 0;
    const held = await store.get(CURSOR, SYNC_TENANT, layerRow(i));
    const found = await layer.changes((held?.model as { cursor?: string } | undefined)?.cursor);
    if (found === undefined) continue;
    if (found.types.length > 0) {
      await store.transaction(async (tx) => {
        const cursor = ((await getCursor(tx))?.model as SyncCursor | undefined) ?? {
          position: 0,
          rebuild: false,
        };
        const before = cursor.rebuild ? cursor.rebuildTypes : [];
        await putCursor(tx, {
          position: cursor.position,
          rebuild: true,
          ...(before === undefined
            ? {}
            : { rebuildTypes: [...new Set([...before, ...found.types])] }),
        });
      });
      due();
    }
    await found.apply();
    await store.transaction((tx) => tx.put(CURSOR, row(layerRow(i), { cursor: found.cursor })));
    report.forgotten += found.count;
  }
}
