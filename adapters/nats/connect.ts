/**
 * Connecting to NATS: a URL or a cluster's URL list, credentials (user and password, token, nkey
 * seed, creds file), TLS options passed through, and reconnection with exponential backoff. The
 * NATS client is loaded only here, when connecting: `wsconnect` of `@nats-io/nats-core` for
 * `ws://` and `wss://` URLs (browsers, Deno, Node with a WebSocket); `nats://` ones need a TCP
 * transport, which the Node, Bun and Deno entry of `whizbang/nats` (node.ts) passes as `connect`
 * (`@nats-io/transport-node`'s, imported there statically) with a `credsFile` read from disk;
 * `connect` picks another (`@nats-io/transport-deno`'s), and `connection` uses a connection of
 * your own.
 */

import type { ConnectionOptions, NatsConnection } from '@nats-io/nats-core';
import { invalidArgument } from '../../js/kit/mod.ts';
import { WhizbangError } from '../../js/mod.ts';

/**
 * A connection of the v3 NATS client (from `connect` or `wsconnect`), as far as these types say:
 * kept structural so the types of `whizbang/nats` stand alone. Pass the client's connection as is.
 */
export interface NatsConnectionLike {
  /** Closes the connection, flushing what is pending. */
  close(): Promise<void>;
  /** Settles when the connection has closed. */
  closed(): Promise<unknown>;
  /** Whether the connection is closed. */
  isClosed(): boolean;
  /** Resolves once the server has everything sent so far. */
  flush(): Promise<void>;
  /** The server this connection is on (`host:port`). */
  getServer(): string;
}

/** Where and how to connect. */
export interface NatsConnectOptions {
  /** A connection of your own: used as is, and left open when the transport or ledger closes. */
  readonly connection?: NatsConnectionLike;
  /**
   * The v3 client's connect function, called with the client's `ConnectionOptions` built from
   * these: `wsconnect` from `@nats-io/nats-core` (the default for `ws://`/`wss://` servers),
   * `connect` from `@nats-io/transport-node` (the default otherwise) or `@nats-io/transport-deno`.
   */
  readonly connect?: (options: never) => Promise<NatsConnectionLike>;
  /** One URL or a cluster's list (default `nats://127.0.0.1:4222`); the client tries them in turn. */
  readonly servers?: string | readonly string[];
  /** The user name, with `pass`. */
  readonly user?: string;
  /** The password of `user`. */
  readonly pass?: string;
  /** An authentication token. */
  readonly token?: string;
  /** An nkey seed (`SU…`): the client signs the server's nonce with it. */
  readonly nkeySeed?: string;
  /** The contents of a `.creds` file (JWT and nkey seed). */
  readonly creds?: string;
  /** The path of a `.creds` file, read when connecting (Node, Bun, Deno). */
  readonly credsFile?: string;
  /** TLS options, passed through to the client (`ca`, `cert`, `key`, `certFile`, …). */
  readonly tls?: Readonly<Record<string, unknown>>;
  /** Reconnection: first wait and the most it grows to, ms (defaults 250 and 8000), doubling each try. */
  readonly reconnect?: {
    readonly initialMs?: number;
    readonly maxMs?: number;
    /** Tries per server before giving up (default -1: forever). */
    readonly attempts?: number;
  };
  /** A name the server shows for this connection. */
  readonly name?: string;
  /** Any other option of the NATS client (`ConnectionOptions`), passed through last. */
  readonly options?: Readonly<Record<string, unknown>>;
}

/** The NATS URL used when none is given. */
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

type Connect = (options: ConnectionOptions) => Promise<NatsConnection>;

const WEBSOCKET = /^wss?:\/\//i;

/** `wsconnect`, once there is a WebSocket to use (without one it would never settle). */
async function websocketConnect(core: typeof import('@nats-io/nats-core')): Promise<Connect> {
  if (typeof (globalThis as { WebSocket?: unknown }).WebSocket !== 'function') {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      'ws:// and wss:// servers need a global WebSocket, and this runtime has none (Node before 22). ' +
        "Install one first: globalThis.WebSocket = (await import('ws')).WebSocket; or use nats:// servers.",
    );
  }
  return core.wsconnect;
}

function noTransport(servers: readonly string[]): never {
  throw invalidArgument(
    `nats:// servers (${servers.join(', ')}) need a TCP transport: on Node, Bun and Deno import whizbang/nats by its package name (its entry there brings @nats-io/transport-node; from JSR: whizbang/nats/node), or pass connect; in a browser use ws:// or wss:// servers.`,
  );
}

/** What a failed connect means, as a Whizbang error with a stable code. */
export function connectError(error: unknown, servers: string): WhizbangError {
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  if (/authoriz|authenticat|user.*expired/i.test(text)) {
    return new WhizbangError(
      'AUTHENTICATION_FAILED',
      `NATS at ${servers} refused the credentials (${error instanceof Error ? error.message : text}). Check user/pass, token, nkey or creds against the server's authorization block.`,
      { cause: error },
    );
  }
  return new WhizbangError(
    'UNAVAILABLE',
    `Cannot connect to NATS at ${servers} (${error instanceof Error ? error.message : text}). Start the server or fix the URL (servers: ["nats://host:4222", …]).`,
    { cause: error },
  );
}

/** Connects with the options above; resolves the connection and whether the caller owns it. */
export async function connectNats(
  options: NatsConnectOptions = {},
): Promise<{ connection: NatsConnection; owned: boolean }> {
  if (options.connection !== undefined) {
    return { connection: options.connection as unknown as NatsConnection, owned: false };
  }
  const servers =
    options.servers === undefined
      ? [DEFAULT_NATS_URL]
      : typeof options.servers === 'string'
        ? [options.servers]
        : [...options.servers];
  if (servers.length === 0 || servers.some((s) => typeof s !== 'string' || s === '')) {
    throw invalidArgument(
      'servers must be a NATS URL or a non-empty list of them, like ["nats://n1:4222", "nats://n2:4222"].',
    );
  }
  const core = await import('@nats-io/nats-core').catch((cause: unknown) => {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      'whizbang/nats needs the NATS client: npm install @nats-io/nats-core@3 @nats-io/jetstream@3 (and @nats-io/transport-node@3 on Node and Bun).',
      { cause },
    );
  });
  const websocket = servers.filter((s) => WEBSOCKET.test(s)).length;
  if (websocket > 0 && websocket < servers.length && options.connect === undefined) {
    throw invalidArgument(
      `servers mixes ws:// and nats:// URLs (${servers.join(', ')}); one connection speaks one of them.`,
    );
  }
  // nats:// needs a TCP transport: the Node, Bun and Deno entry (node.ts) passes one as `connect`
  const connect: Connect =
    options.connect !== undefined
      ? (options.connect as unknown as Connect)
      : websocket > 0
        ? await websocketConnect(core)
        : noTransport(servers);
  const initial = options.reconnect?.initialMs ?? 250;
  const most = options.reconnect?.maxMs ?? 8_000;
  let tries = 0;
  const authenticators = [];
  if (options.nkeySeed !== undefined) {
    authenticators.push(core.nkeyAuthenticator(new TextEncoder().encode(options.nkeySeed)));
  }
  if (options.credsFile !== undefined) {
    // the Node, Bun and Deno entry reads it into `creds` before connecting
    throw invalidArgument(
      "credsFile is read on Node, Bun and Deno (whizbang/nats by its package name); here, pass the file's contents as creds.",
    );
  }
  const creds = options.creds;
  if (creds !== undefined) {
    authenticators.push(core.credsAuthenticator(new TextEncoder().encode(creds)));
  }
  const config: ConnectionOptions = {
    servers,
    maxReconnectAttempts: options.reconnect?.attempts ?? -1,
    // exponential backoff with jitter; reset once a connection is back
    reconnectDelayHandler: () => {
      const wait = Math.min(initial * 2 ** tries++, most);
      return wait / 2 + Math.random() * (wait / 2);
    },
    ...(options.user === undefined ? {} : { user: options.user }),
    ...(options.pass === undefined ? {} : { pass: options.pass }),
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.tls === undefined
      ? {}
      : { tls: options.tls as NonNullable<ConnectionOptions['tls']> }),
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(authenticators.length === 0 ? {} : { authenticator: authenticators }),
    // the client would make an Error (a stack trace) for every request up front, to show where a
    // later timeout came from: a third of a JetStream publisher's CPU. Whizbang's errors name the
    // call themselves; `options: { noAsyncTraces: false }` brings the traces back.
    noAsyncTraces: true,
    ...((options.options ?? {}) as ConnectionOptions),
  };
  let connection: NatsConnection;
  try {
    connection = await connect(config);
  } catch (error) {
    throw connectError(error, servers.join(', '));
  }
  void (async () => {
    for await (const status of connection.status()) {
      if (status.type === 'reconnect') tries = 0;
    }
  })().catch(() => undefined);
  return { connection, owned: true };
}
