/**
 * The NATS transport's connection, and what it builds on it. A server that is not there when the
 * transport starts is waited for in the background (with the reconnect backoff), so a service can
 * start before its broker; what needs the connection waits for it (`ready`), publishing says
 * `UNAVAILABLE` meanwhile. The status (`connecting`, `connected`, `reconnecting`, `closed`) is
 * kept from the client's own events and told to `onStatus`.
 */

import type { NatsConnection } from '@nats-io/nats-core';
import { isWhizbangError, WhizbangError } from '../../../js/mod.ts';
import { connectNats, type NatsConnectOptions } from '../connect.ts';

/** Where a NATS transport's connection is. */
export type NatsTransportStatus = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Makes what a transport needs of a fresh connection (its publisher, its JetStream, …). */
export type Build<P> = (nc: NatsConnection, owned: boolean) => Promise<P>;

/** Hooks of a link. */
export interface LinkHooks {
  /** Told of each change of status. Its errors are ignored. */
  readonly onStatus?: ((status: NatsTransportStatus) => void) | undefined;
  /** Told of a failure in the background (a connect that failed after the first try). */
  readonly onError?: ((error: unknown) => void) | undefined;
}

function safely<A extends unknown[]>(hook: ((...args: A) => void) | undefined, ...args: A): void {
  try {
    hook?.(...args);
  } catch {
    // the hook is the last stop
  }
}

function closedBeforeConnected(): WhizbangError {
  return new WhizbangError('CLOSED', 'The NATS transport closed before it could connect.');
}

/** A connection that may not be there yet, and the parts built on it. */
export class Link<P> {
  readonly #build: Build<P>;
  readonly #hooks: LinkHooks;
  #status: NatsTransportStatus = 'connecting';
  #parts: P | undefined;
  #nc: NatsConnection | undefined;
  #owned = false;
  #ready: Promise<P>;
  #resolve!: (parts: P) => void;
  #reject!: (error: unknown) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #waiting: Array<{ resolve: (parts: P) => void; reject: (error: unknown) => void }> = [];

  private constructor(build: Build<P>, hooks: LinkHooks) {
    this.#build = build;
    this.#hooks = hooks;
    this.#ready = new Promise<P>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#ready.catch(() => undefined); // nobody may be waiting
  }

  /**
   * Connects. A server that cannot be reached is waited for in the background, unless the
   * connection was given or `reconnect.attempts` is 0: then, and for refused credentials or a bad
   * option, it fails at once.
   */
  static async open<P>(
    options: NatsConnectOptions,
    build: Build<P>,
    hooks: LinkHooks,
  ): Promise<Link<P>> {
    const link = new Link(build, hooks);
    try {
      const { connection, owned } = await connectNats(options);
      await link.#wire(connection, owned);
    } catch (error) {
      const later =
        isWhizbangError(error, 'UNAVAILABLE') &&
        options.connection === undefined &&
        options.reconnect?.attempts !== 0;
      if (!later) throw error;
      link.#retry(options, 0);
    }
    return link;
  }

  get status(): NatsTransportStatus {
    return this.#status;
  }

  /** The parts, once connected (they stay while reconnecting). */
  get parts(): P | undefined {
    return this.#parts;
  }

  /** Whether messages can go out now. */
  get connected(): boolean {
    return this.#status === 'connected';
  }

  /** The parts as soon as there is a connection; rejects with `CLOSED` if the link closes first. */
  ready(): Promise<P> {
    return this.#ready;
  }

  /** The parts once the link is connected (now, or when it is again); rejects if it closes first. */
  whenConnected(): Promise<P> {
    if (this.#status === 'closed') return Promise.reject(closedBeforeConnected());
    if (this.#status === 'connected' && this.#parts !== undefined) {
      return Promise.resolve(this.#parts);
    }
    return new Promise<P>((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
    });
  }

  /** Closes the connection if the link made it, and stops waiting for one. */
  async close(): Promise<void> {
    if (this.#status === 'closed') return;
    this.#set('closed');
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#reject(new WhizbangError('CLOSED', 'The NATS transport closed before it could connect.'));
    if (this.#owned) await this.#nc?.close();
  }

  async #wire(nc: NatsConnection, owned: boolean): Promise<void> {
    let parts: P;
    try {
      parts = await this.#build(nc, owned);
    } catch (error) {
      if (owned) await nc.close().catch(() => undefined);
      throw error;
    }
    if (this.#status === 'closed') {
      if (owned) await nc.close().catch(() => undefined);
      return;
    }
    this.#nc = nc;
    this.#owned = owned;
    this.#parts = parts;
    this.#set('connected');
    this.#resolve(parts);
    void this.#follow(nc);
  }

  /** Keeps the status from the client's events until the connection closes. */
  async #follow(nc: NatsConnection): Promise<void> {
    void nc.closed().then(() => this.#set('closed'));
    try {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect' || s.type === 'reconnecting') this.#set('reconnecting');
        else if (s.type === 'reconnect') this.#set('connected');
      }
    } catch {
      // the iterator ends with the connection
    }
  }

  /** One more try to connect, after a backoff of `tries` doublings (with jitter). */
  #retry(options: NatsConnectOptions, tries: number): void {
    const first = options.reconnect?.initialMs ?? 250;
    const most = options.reconnect?.maxMs ?? 8_000;
    const wait = Math.min(first * 2 ** tries, most);
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        if (this.#status === 'closed') return;
        connectNats(options)
          .then(({ connection, owned }) => this.#wire(connection, owned))
          .catch((error: unknown) => {
            if (this.#status === 'closed') return;
            if (!isWhizbangError(error, 'UNAVAILABLE')) safely(this.#hooks.onError, error);
            this.#retry(options, tries + 1);
          });
      },
      wait / 2 + Math.random() * (wait / 2),
    );
    (this.#timer as { unref?: () => void }).unref?.();
  }

  #set(status: NatsTransportStatus): void {
    if (this.#status === status || this.#status === 'closed') return;
    this.#status = status;
    if (status === 'connected' || status === 'closed') {
      const waiting = this.#waiting;
      this.#waiting = [];
      for (const w of waiting) {
        if (status === 'connected') w.resolve(this.#parts!);
        else w.reject(closedBeforeConnected());
      }
    }
    safely(this.#hooks.onStatus, status);
  }
}
