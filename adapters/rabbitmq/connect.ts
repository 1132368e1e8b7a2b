/**
 * Connecting to RabbitMQ once: a URL of a cluster's list (each tried in turn), credentials, the
 * virtual host, TLS options passed through and heartbeats. The AMQP client (`@cloudamqp/amqp-client`,
 * an optional peer dependency) is used here: its TCP client for `amqp://` and `amqps://` URLs (from
 * the entry for Node, Bun and Deno, `node.ts`, or given as `client`), its WebSocket client for
 * `ws://` and `wss://` ones (a browser, through a WebSocket-to-TCP relay), loaded when connecting.
 */

import type { AMQPBaseClient } from '@cloudamqp/amqp-client';
import { invalidArgument, wholeOption } from '../../js/kit/mod.ts';
import { WhizbangError } from '../../js/mod.ts';

/**
 * The `@cloudamqp/amqp-client` module (or its `amqp-websocket-client` subpath), imported by you:
 * for a bundle that cannot load it lazily. Kept structural, so these types stand alone.
 */
export interface AmqpClientModule {
  /** The TCP client class (`@cloudamqp/amqp-client`'s `AMQPClient`), for `amqp://` and `amqps://`. */
  readonly AMQPClient?: unknown;
  /** The WebSocket client class (`AMQPWebSocketClient`), for `ws://` and `wss://`. */
  readonly AMQPWebSocketClient?: unknown;
}

/** Where and how to connect. */
export interface RabbitConnectOptions {
  /**
   * One URL or a cluster's list (default `amqp://127.0.0.1:5672`), tried in turn when connecting
   * and reconnecting: `amqp://user:pass@host:5672/vhost`, `amqps://…` (TLS), or `ws://`/`wss://`
   * through a WebSocket-to-TCP relay.
   */
  readonly urls?: string | readonly string[];
  /** Overrides the user of every URL (default: the URL's, else `guest`). */
  readonly username?: string;
  /** Overrides the password of every URL (default: the URL's, else `guest`). */
  readonly password?: string;
  /** Overrides the virtual host of every URL (default: the URL's path, else `/`). */
  readonly vhost?: string;
  /** TLS options for `amqps://`, passed through to the client (`ca`, `cert`, `key`, `pfx`, `passphrase`). */
  readonly tls?: Readonly<Record<string, unknown>>;
  /** Heartbeat interval the client proposes, s (default 10; 0 turns heartbeats off). */
  readonly heartbeatSeconds?: number;
  /** How long one connection attempt may take, ms (default 10 000). */
  readonly connectTimeoutMs?: number;
  /** A name the broker shows for the connection. */
  readonly name?: string;
  /** The client module, when you import it yourself. */
  readonly client?: AmqpClientModule;
}

/** The URL used when none is given. */
export const DEFAULT_RABBITMQ_URL = 'amqp://127.0.0.1:5672';

/** One URL to connect to, with the options applied. */
export interface Endpoint {
  /** The URL the client gets (credentials included). */
  readonly url: string;
  /** The URL as errors show it: without the password. */
  readonly shown: string;
  readonly websocket: boolean;
  readonly vhost: string;
  readonly username: string;
  readonly password: string;
}

const WEBSOCKET = /^wss?:$/;
const AMQP = /^amqps?:$/;

/** The endpoints of `options`, checked: throws INVALID_ARGUMENT for a URL it cannot use. */
export function endpointsOf(options: RabbitConnectOptions): Endpoint[] {
  const urls =
    options.urls === undefined
      ? [DEFAULT_RABBITMQ_URL]
      : typeof options.urls === 'string'
        ? [options.urls]
        : [...options.urls];
  if (urls.length === 0 || urls.some((u) => typeof u !== 'string' || u === '')) {
    throw invalidArgument(
      'urls must be a RabbitMQ URL or a non-empty list of them, like ["amqp://r1:5672", "amqp://r2:5672"].',
    );
  }
  const heartbeat = wholeOption('heartbeatSeconds', options.heartbeatSeconds, 10, 0);
  return urls.map((text) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw invalidArgument(`"${text}" is not a URL: give amqp://host:5672 (or amqps, ws, wss).`);
    }
    const websocket = WEBSOCKET.test(url.protocol);
    if (!websocket && !AMQP.test(url.protocol)) {
      throw invalidArgument(
        `"${text}" is not a RabbitMQ URL: use amqp:// or amqps:// (TCP), or ws:// or wss:// (a WebSocket relay).`,
      );
    }
    const username = options.username ?? (decodeURIComponent(url.username) || 'guest');
    const password = options.password ?? (decodeURIComponent(url.password) || 'guest');
    const vhost = options.vhost ?? (decodeURIComponent(url.pathname.slice(1)) || '/');
    if (!websocket) {
      url.username = encodeURIComponent(username);
      url.password = encodeURIComponent(password);
      url.pathname = `/${encodeURIComponent(vhost)}`;
      url.searchParams.set('heartbeat', String(heartbeat));
      if (options.name !== undefined) url.searchParams.set('name', options.name);
    }
    const shown = new URL(url.href);
    shown.password = '';
    shown.search = '';
    return { url: url.href, shown: shown.href, websocket, vhost, username, password };
  });
}

type ClientClass = new (...args: never[]) => AMQPBaseClient;

// the WebSocket client is loaded when needed; the TCP client (it needs `net` and `tls`) comes from
// the entry for Node, Bun and Deno (node.ts), which imports it, so browser bundles never meet it
const loadClient = (): Promise<AmqpClientModule> =>
  import('@cloudamqp/amqp-client/amqp-websocket-client');

async function clientClass(endpoint: Endpoint, given: AmqpClientModule | undefined) {
  if (
    endpoint.websocket &&
    typeof (globalThis as { WebSocket?: unknown }).WebSocket !== 'function'
  ) {
    throw invalidArgument(
      `${endpoint.shown} is a WebSocket URL, and this runtime has no global WebSocket (Node before 22). Install one first: globalThis.WebSocket = (await import('ws')).WebSocket; or use amqp:// URLs.`,
    );
  }
  const key = endpoint.websocket ? 'AMQPWebSocketClient' : 'AMQPClient';
  let found = given?.[key];
  if (found === undefined && !endpoint.websocket) {
    throw invalidArgument(
      `${endpoint.shown} needs the AMQP client's TCP transport: import whizbang/rabbitmq on Node, Bun or Deno (its node entry; whizbang/rabbitmq/node from JSR), or pass @cloudamqp/amqp-client's module as \`client\`.`,
    );
  }
  if (found === undefined) {
    try {
      found = (await loadClient())[key];
    } catch (cause) {
      throw new WhizbangError(
        'INVALID_ARGUMENT',
        'whizbang/rabbitmq needs the AMQP client: npm install @cloudamqp/amqp-client@4 (or pass its module as `client`).',
        { cause },
      );
    }
  }
  if (typeof found !== 'function') {
    throw invalidArgument(`The client module given has no ${key}: pass @cloudamqp/amqp-client.`);
  }
  return found as ClientClass;
}

/** What a failed connect means, as a Whizbang error with a stable code. */
export function connectError(error: unknown, shown: string): WhizbangError {
  const event = (error as { type?: unknown } | null)?.type; // a WebSocket's error or close event
  const text =
    error instanceof Error
      ? error.message
      : typeof event === 'string'
        ? `the WebSocket ${event === 'close' ? 'closed' : 'failed'}`
        : String(error);
  if (/ACCESS_REFUSED|\(403\)|NOT_ALLOWED|\(530\)/.test(text)) {
    return new WhizbangError(
      'AUTHENTICATION_FAILED',
      `RabbitMQ at ${shown} refused the login (${text}). Check the username, password and virtual host, and the user's permissions on it (rabbitmqctl list_permissions -p <vhost>).`,
      { cause: error },
    );
  }
  return new WhizbangError(
    'UNAVAILABLE',
    `Cannot connect to RabbitMQ at ${shown} (${text}). Start the broker or fix the URL (urls: ["amqp://host:5672", …]).`,
    { cause: error },
  );
}

/** Opens one connection to `endpoint`; rejects with AUTHENTICATION_FAILED or UNAVAILABLE. */
export async function openClient(
  endpoint: Endpoint,
  options: RabbitConnectOptions,
): Promise<AMQPBaseClient> {
  const Client = await clientClass(endpoint, options.client);
  const timeoutMs = wholeOption('connectTimeoutMs', options.connectTimeoutMs, 10_000, 1);
  const make = Client as unknown as new (...args: unknown[]) => AMQPBaseClient;
  const client = endpoint.websocket
    ? new make({
        url: endpoint.url,
        vhost: endpoint.vhost,
        username: endpoint.username,
        password: endpoint.password,
        heartbeat: wholeOption('heartbeatSeconds', options.heartbeatSeconds, 10, 0),
        ...(options.name === undefined ? {} : { name: options.name }),
      })
    : new make(endpoint.url, options.tls);
  // until the transport takes over: errors are reported by the connect below
  client.onerror = () => undefined;
  const connecting = client.connect();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      connecting,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`no answer within ${timeoutMs} ms`));
        }, timeoutMs);
      }),
    ]);
    // AMQP writes small frames (acks, confirms) that Nagle's algorithm would hold back ~40 ms
    (client as { socket?: { setNoDelay?: (on: boolean) => void } }).socket?.setNoDelay?.(true);
    return client;
  } catch (error) {
    // a connection that comes up after its time is closed at once
    connecting.then(
      () => client.close().catch(() => undefined),
      () => undefined,
    );
    throw connectError(error, endpoint.shown);
  } finally {
    clearTimeout(timer);
  }
}
