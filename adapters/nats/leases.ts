import { checkLeaseName, checkLeaseTtl } from '../../js/kit/mod.ts';
import type { Lease, LeaseStore } from '../../js/mod.ts';
import type { NatsConnectionLike } from './connect.ts';
import { natsName } from './jetstream.ts';
import { kvBucket } from './kv.ts';

/** Options of {@link natsLeases}. */
export interface NatsLeasesOptions {
  /** The KV bucket (default `WHIZBANG_LEASES`); made when missing. */
  readonly bucket?: string;
  /** Replicas of the bucket when it is made (a cluster: 3). */
  readonly replicas?: number;
}

/** The value kept under a lease's key. */
interface Held {
  readonly owner: string;
  readonly token: number;
  readonly expiresAt: number;
}

/** The part of `@nats-io/kv`'s bucket these leases use. */
interface Bucket {
  get(key: string): Promise<{ revision: number; operation: string; json<T>(): T } | null>;
  create(key: string, value: string): Promise<number>;
  update(key: string, value: string, revision: number): Promise<number>;
  keys(): Promise<AsyncIterable<string>>;
}

const KEEP = /^[A-Za-z0-9_-]$/;

/** A lease name as a KV key: what a key cannot hold is written `=` and four hex digits. */
function keyOf(name: string): string {
  let key = '';
  for (const c of name) {
    if (KEEP.test(c)) key += c;
    else
      for (let i = 0; i < c.length; i++) key += `=${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
  }
  return key;
}

function nameOf(key: string): string {
  return key.replace(/=([0-9a-f]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** True when a revision-checked write lost to another writer. */
function lostRace(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 10071 || code === 10164;
}

/** A lease store in a KV bucket on `connection`. */
export function natsLeases(
  connection: NatsConnectionLike,
  options: NatsLeasesOptions = {},
): LeaseStore {
  const name = natsName(options.bucket ?? 'WHIZBANG_LEASES', 'bucket');
  const bucket = kvBucket<Bucket>(connection, name, options.replicas, 'Leases');
  const read = async (kv: Bucket, lease: string): Promise<{ held?: Held; revision: number }> => {
    const entry = await kv.get(keyOf(lease));
    if (entry === null || entry.operation !== 'PUT') return { revision: entry?.revision ?? 0 };
    return { held: entry.json<Held>(), revision: entry.revision };
  };
  /** Writes `held` at `revision` (0: a new key); undefined when another writer got there first. */
  const write = async (
    kv: Bucket,
    lease: string,
    held: Held,
    revision: number,
  ): Promise<Lease | undefined> => {
    const value = JSON.stringify(held);
    try {
      if (revision === 0) await kv.create(keyOf(lease), value);
      else await kv.update(keyOf(lease), value, revision);
    } catch (error) {
      if (lostRace(error)) return undefined;
      throw error;
    }
    return { name: lease, ...held };
  };
  const holds = (held: Held | undefined, lease: Lease): held is Held =>
    held !== undefined &&
    held.owner === lease.owner &&
    held.token === lease.token &&
    held.expiresAt > Date.now();
  return {
    async acquire(lease: string, owner: string, ttlMs: number): Promise<Lease | undefined> {
      checkLeaseName('lease name', lease);
      checkLeaseName('owner', owner);
      checkLeaseTtl(ttlMs);
      const kv = await bucket();
      const { held, revision } = await read(kv, lease);
      const at = Date.now();
      if (held !== undefined && held.owner !== owner && held.expiresAt > at) return undefined;
      const token =
        held === undefined
          ? 1
          : held.owner === owner && held.expiresAt > at
            ? held.token
            : held.token + 1;
      return write(kv, lease, { owner, token, expiresAt: at + ttlMs }, revision);
    },
    async renew(lease: Lease, ttlMs: number): Promise<Lease | undefined> {
      checkLeaseTtl(ttlMs);
      const kv = await bucket();
      const { held, revision } = await read(kv, lease.name);
      if (!holds(held, lease)) return undefined;
      const next = { owner: lease.owner, token: lease.token, expiresAt: Date.now() + ttlMs };
      return write(kv, lease.name, next, revision);
    },
    async release(lease: Lease): Promise<void> {
      const kv = await bucket();
      const { held, revision } = await read(kv, lease.name);
      // the key stays, expired, so that the next owner's token is still greater
      if (holds(held, lease)) await write(kv, lease.name, { ...held, expiresAt: 0 }, revision);
    },
    async list(prefix = ''): Promise<Lease[]> {
      const kv = await bucket();
      const names: string[] = [];
      for await (const key of await kv.keys()) {
        const lease = nameOf(key);
        if (lease.startsWith(prefix)) names.push(lease);
      }
      const at = Date.now();
      const found: Lease[] = [];
      for (const lease of names.sort()) {
        const { held } = await read(kv, lease);
        if (held !== undefined && held.expiresAt > at) found.push({ name: lease, ...held });
      }
      return found;
    },
  };
}
