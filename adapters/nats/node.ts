/**
 * `whizbang/nats` on Node, Bun and Deno (the `node` export condition; from JSR,
 * `whizbang/nats/node`): everything of `mod.ts`, its factories connecting to `nats://` servers
 * over `@nats-io/transport-node` (imported here statically, so bundlers and JSR see the optional
 * peer where it is used, and browser bundles of `mod.ts` never meet it) and reading `credsFile`
 * from disk.
 *
 * @example
 * ```ts
 * import { natsTransport } from 'whizbang/nats';
 *
 * const transport = await natsTransport({ servers: 'nats://127.0.0.1:4222' });
 * ```
 * @module
 */
import { readFile } from 'node:fs/promises';
import { connect } from '@nats-io/transport-node';
import { WhizbangError } from '../../js/mod.ts';
import type { SyncServer } from '../../js/sync/mod.ts';
import type { NatsConnectOptions } from './connect.ts';
import {
  jetstreamDriver as anyDriver,
  jetstreamLedger as anyLedger,
  scopedLedger as anyScopedLedger,
  natsSyncLink as anySyncLink,
  natsSyncServer as anySyncServer,
  natsTransport as anyTransport,
  type JetStreamDriver,
  type JetStreamLedger,
  type JetStreamLedgerOptions,
  type NatsSyncLink,
  type NatsSyncLinkOptions,
  type NatsSyncServer,
  type NatsSyncServerOptions,
  type NatsTransport,
  type NatsTransportOptions,
  type ScopedLedger,
  type ScopedLedgerOptions,
} from './mod.ts';

// A module's own exports win over `export *`: the factories below stand in for those of mod.ts.
export * from './mod.ts';

const WEBSOCKET = /^wss?:\/\//i;

/** The options with this runtime's TCP transport for `nats://` servers, and the creds file read. */
async function onNode<T extends NatsConnectOptions>(options: T): Promise<T> {
  const servers = options.servers === undefined ? [] : [options.servers].flat();
  const tcp =
    options.connection === undefined &&
    options.connect === undefined &&
    !servers.some((s) => WEBSOCKET.test(s));
  const { credsFile, ...rest } = options;
  return {
    ...rest,
    ...(tcp ? { connect } : {}),
    ...(credsFile === undefined ? {} : { creds: await readCreds(credsFile) }),
  } as unknown as T;
}

async function readCreds(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `credsFile ${path} could not be read (${cause instanceof Error ? cause.message : String(cause)}); give the path of a .creds file, or its contents as creds.`,
      { cause },
    );
  }
}

/** `natsTransport` of `mod.ts`, connecting to `nats://` servers over `@nats-io/transport-node`. */
export async function natsTransport(options: NatsTransportOptions = {}): Promise<NatsTransport> {
  return anyTransport(await onNode(options));
}

/** `jetstreamDriver` of `mod.ts`, connecting to `nats://` servers over `@nats-io/transport-node`. */
export async function jetstreamDriver(
  options: JetStreamLedgerOptions = {},
): Promise<JetStreamDriver> {
  return anyDriver(await onNode(options));
}

/** `jetstreamLedger` of `mod.ts`, connecting to `nats://` servers over `@nats-io/transport-node`. */
export async function jetstreamLedger(
  options: JetStreamLedgerOptions = {},
): Promise<JetStreamLedger> {
  return anyLedger(await onNode(options));
}

/** `natsSyncServer` of `mod.ts`, connecting to `nats://` servers over `@nats-io/transport-node`. */
export async function natsSyncServer(
  server: SyncServer,
  options: NatsSyncServerOptions,
): Promise<NatsSyncServer> {
  return anySyncServer(server, await onNode(options));
}

/** `natsSyncLink` of `mod.ts`, connecting to `nats://` servers over `@nats-io/transport-node`. */
export async function natsSyncLink(options: NatsSyncLinkOptions): Promise<NatsSyncLink> {
  return anySyncLink(await onNode(options));
}

/** `scopedLedger` of `mod.ts`, connecting to `nats://` servers over `@nats-io/transport-node`. */
export async function scopedLedger(options: ScopedLedgerOptions): Promise<ScopedLedger> {
  return anyScopedLedger(await onNode(options));
}
