/**
 * The layer `protect` puts on a driver, for offline sync under it: the same sealing over another
 * ledger (sync appends others' sealed events through it, so handlers see them opened), and, with a
 * replica's key store, what was forgotten elsewhere since the last round.
 */
import type { Driver, DriverLayer, LayerChanges } from '../contracts/driver.ts';
import type { KeyStore } from '../contracts/keystore.ts';
import type { ProtectSpec } from '../messages/message.ts';
import type { Cipher } from './crypto.ts';
import type { KeyRing } from './keyring.ts';
import { protectedLedger } from './ledger.ts';
import { isReplicaKeyStore, type ReplicaKeyStore } from './replica-keys.ts';

/** The layer of `protect(inner, …)`. */
export function protectLayer(
  inner: Driver,
  specs: ReadonlyMap<string, ProtectSpec>,
  ring: KeyRing,
  cipher: Cipher,
  keys: KeyStore,
): DriverLayer {
  const layer: DriverLayer = {
    inner,
    travels: true,
    over: (ledger) => protectedLedger(ledger, specs, ring, cipher),
  };
  if (!isReplicaKeyStore(keys)) return layer;
  return { ...layer, changes: (cursor) => staleKeys(keys, ring, [...specs.keys()], cursor) };
}

/** The replica's copies of keys deleted or replaced in the shared store: dropped when applied. */
async function staleKeys(
  keys: ReplicaKeyStore,
  ring: KeyRing,
  types: readonly string[],
  cursor: string | undefined,
): Promise<LayerChanges | undefined> {
  const found = await keys.stale(cursor);
  if (found.subjects.length === 0 && found.cursor === cursor) return undefined;
  return {
    cursor: found.cursor,
    types: found.subjects.length === 0 ? [] : types,
    count: found.subjects.length,
    async apply() {
      for (const subject of found.subjects) {
        await keys.drop(subject);
        await ring.drop(subject);
      }
    },
  };
}
