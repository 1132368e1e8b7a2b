/** The built app: the public dispatcher over the runtime, lenses, rebuilds and lifecycle. */

import { invokeTopic, topicFor } from '../contracts/outbox.ts';
import type { Perspective } from '../definitions/perspective.ts';
import { DEFAULT_TENANT, type Envelope } from '../messages/envelope.ts';
import type { Command, Event } from '../messages/message.ts';
import { invalidArgument, WhizbangError } from '../util/errors.ts';
import { chain, isThenable, type MaybePromise } from '../util/maybe.ts';
import { applyEvents } from './project.ts';
import type { Registry } from './registry.ts';
import { startRelay } from './relay.ts';
import { Runtime, type RuntimeOptions } from './runtime.ts';
import type {
  DeliveryReceipt,
  Lens,
  PublishOptions,
  SendOptions,
  SyncOptions,
  Whizbang,
} from './types.ts';
import { noOutbox } from './wire.ts';

/** Turns a maybe-synchronous computation into a promise, with synchronous throws as rejections. */
function settle<T>(fn: () => MaybePromise<T>): Promise<T> {
  try {
    const value = fn();
    return isThenable<T>(value) ? Promise.resolve(value) : Promise.resolve(value);
  } catch (error) {
    return Promise.reject(error);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new WhizbangError(
            'SYNC_TIMEOUT',
            `${what} did not finish within ${ms} ms. An async perspective may be failing or slow; check its errors or raise timeoutMs.`,
          ),
        ),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The topics an app takes by default: its receptors' commands and its handlers' events (not its own). */
function defaultTopics(registry: Registry): string[] {
  const topics = new Set<string>();
  for (const type of registry.receptors.keys()) {
    const route = registry.routes.get(type);
    topics.add(
      route !== undefined && route.to !== 'remote' ? route.topic : topicFor('command', type),
    );
  }
  for (const type of registry.handlers.keys()) {
    const route = registry.routes.get(type);
    if (route?.to === 'outbox' || route?.to === 'both') continue; // it sends these itself
    topics.add(route?.topic ?? topicFor('event', type));
  }
  return [...topics];
}

/** Builds the public app over a registry. */
/** @internal The runtime behind each built app, for offline sync (`js/sync`). */
export const runtimes: WeakMap<Whizbang<any, any>, Runtime> = new WeakMap();

export function createApp(registry: Registry, options: RuntimeOptions): Whizbang<any, any> {
  const runtime = new Runtime(registry, options);
  const { store } = runtime.driver;
  const ledger = runtime.ledger;
  let closed = false;

  const open = (): void => {
    if (closed)
      throw new WhizbangError('CLOSED', `App "${runtime.name}" is closed; build a new one.`);
  };

  const sendOne = (
    command: Command,
    opts: SendOptions | undefined,
  ): MaybePromise<DeliveryReceipt> => {
    open();
    const envelope = runtime.envelope(command, opts) as Envelope<Command>;
    const flow = { position: 0 };
    return chain(runtime.command(envelope, flow, 0), (outcome) =>
      runtime.receipt(envelope, outcome, flow),
    );
  };

  const invoke = (
    command: Command,
    opts: SendOptions | undefined,
    flow: { position: number },
  ): MaybePromise<unknown> => {
    open();
    const envelope = runtime.envelope(command, opts) as Envelope<Command>;
    return chain(runtime.command(envelope, flow, 0), (outcome) => outcome.value);
  };

  const publishAll = (
    events: readonly Event[],
    opts: PublishOptions,
  ): MaybePromise<DeliveryReceipt> => {
    open();
    if (opts === undefined || typeof opts.stream !== 'string') {
      throw invalidArgument(
        'publish needs options with `stream`: the stream the event is appended to.',
      );
    }
    if (events.length === 0) throw invalidArgument('publishMany needs at least one event.');
    const first = runtime.envelope(events[0]!, opts, opts.stream);
    const envelopes = events.map((e, i) =>
      i === 0
        ? first
        : runtime.envelope(
            e,
            { ...opts, correlationId: first.correlationId, causationId: first.causationId },
            opts.stream,
          ),
    ) as Envelope<Event>[];
    const flow = { position: 0 };
    return chain(
      runtime.publish(envelopes, opts.stream, opts.expectedVersion ?? 'any', flow),
      (outcome) => runtime.receipt(first, outcome, flow),
    );
  };

  const waitForPerspectives = async (position?: number, timeoutMs = 5000): Promise<void> => {
    const target = position ?? (await ledger.headPosition());
    const waits = [...runtime.projectors.values()].map((p) => p.waitFor(target));
    if (waits.length > 0)
      await withTimeout(
        Promise.all(waits),
        timeoutMs,
        `Waiting for perspectives to reach position ${target}`,
      );
  };

  const perspectiveOf = (perspective: Perspective<any, any>): Perspective => {
    const registered = registry.perspectives.get(perspective?.name);
    if (registered !== perspective) {
      throw invalidArgument(
        `Perspective "${perspective?.name}" is not registered with this app; add it with .perspective() before build().`,
      );
    }
    return registered;
  };

  const rebuildInline = async (p: Perspective): Promise<void> => {
    let release!: () => void;
    runtime.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    runtime.rebuilding.add(p);
    try {
      await store.clear(p.name);
      let from = 1;
      for (;;) {
        const head = await ledger.headPosition();
        if (from > head) break;
        const batch = await ledger.readAll({ from, to: head, limit: 1000, types: [...p.types] });
        const through = batch.length === 1000 ? batch[batch.length - 1]!.position : head;
        await store.transaction((tx) => applyEvents([p], batch, tx, through));
        from = through + 1;
      }
    } finally {
      runtime.rebuilding.delete(p);
      runtime.gate = undefined;
      release();
    }
  };

  const app: Whizbang<any, any> = {
    name: runtime.name,
    ledger,
    store,
    perspectives: registry.perspectives,
    send: (command, opts) => settle(() => sendOne(command, opts)),
    sendMany: async (commands, opts) => {
      const receipts: DeliveryReceipt[] = [];
      for (const command of commands) receipts.push(await sendOne(command, opts));
      return receipts;
    },
    localInvoke: (command, opts) =>
      settle(() => invoke(command, opts, { position: 0 })) as Promise<never>,
    localInvokeAndSync: async (command, opts: SyncOptions = {}) => {
      const flow = { position: 0 };
      const value = await invoke(command, opts, flow);
      if (flow.position > 0) await waitForPerspectives(flow.position, opts.timeoutMs ?? 5000);
      return value as never;
    },
    publish: (event, opts) => settle(() => publishAll([event], opts)),
    publishMany: (events, opts) => settle(() => publishAll(events, opts)),
    lens<M>(perspective: Perspective<M, any>): Lens<M> {
      const p = perspectiveOf(perspective);
      return {
        get: (id, o) =>
          settle(() =>
            chain(
              store.get(p.name, o?.tenant ?? DEFAULT_TENANT, id),
              (row) => row?.model as M | undefined,
            ),
          ),
        query: (q = {}) => {
          const { tenant = DEFAULT_TENANT, ...query } = q;
          return settle(() =>
            chain(store.query(p.name, tenant, query), (rows) => rows.map((r) => r.model as M)),
          );
        },
      };
    },
    async rebuild(perspective) {
      open();
      const p = perspectiveOf(perspective);
      const projector = runtime.projectors.get(p.name);
      if (projector === undefined) return rebuildInline(p);
      await projector.stop();
      await store.clear(p.name);
      projector.start();
      await projector.waitFor(await ledger.headPosition());
    },
    waitForPerspectives,
    relay(transport, options) {
      open();
      const outbox = store.outbox;
      if (outbox === undefined) throw noOutbox(runtime.driver.name);
      const wake = (listener: () => void): (() => void) => {
        const previous = runtime.onEnqueued;
        runtime.onEnqueued = () => {
          previous?.();
          listener();
        };
        const unwatch = ledger.watch(listener);
        return () => {
          unwatch();
          runtime.onEnqueued = previous;
        };
      };
      return startRelay(outbox, transport, wake, options);
    },
    async listen(transport, options = {}) {
      open();
      const queue = options.queue ?? runtime.name;
      const topics = options.topics ?? defaultTopics(registry);
      const invokeTopics =
        options.invokeTopics ?? [...registry.receptors.keys()].map((type) => invokeTopic(type));
      const { respond } = transport;
      if (respond === undefined && options.invokeTopics !== undefined && invokeTopics.length > 0) {
        throw invalidArgument(
          `The "${transport.name}" transport does not carry requests, so this app cannot answer invocations on it; leave out invokeTopics, or use a transport with request/reply (memory, NATS).`,
        );
      }
      const subscriptions = await Promise.all([
        ...topics.map((topic) =>
          transport.subscribe(topic, (wire) => runtime.receive(wire), { queue }),
        ),
        ...(respond === undefined
          ? []
          : invokeTopics.map((topic) =>
              respond.call(transport, topic, (wire) => runtime.invocations.answer(wire), { queue }),
            )),
      ]);
      // the newest transport that carries requests takes this app's 'remote' invocations
      if (transport.request !== undefined) runtime.requests = transport;
      return {
        async close() {
          if (runtime.requests === transport) runtime.requests = undefined;
          await Promise.all(subscriptions.map((s) => s.close()));
        },
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...runtime.projectors.values()].map((p) => p.stop()));
      await runtime.cache.flush(); // snapshots still being saved
      await runtime.driver.close?.();
    },
  };
  runtimes.set(app, runtime);
  return app;
}
