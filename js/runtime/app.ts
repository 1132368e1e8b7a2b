/**
 * The built app: wires the parts of the runtime together (dispatcher, decider, committer, inbox,
 * observers, projectors) and presents them as the public {@link Whizbang}.
 */
import type { Driver } from '../contracts/driver.ts';
import type { BackgroundFailure, Observer } from '../contracts/observer.ts';
import type { Perspective } from '../definitions/perspective.ts';
import { invalidArgument, WhizbangError } from '../util/errors.ts';
import { Changes } from './changes.ts';
import { Committer } from './commit.ts';
import type { CoordinateOptions } from './coordinate.ts';
import { Decider } from './decide.ts';
import { Sender } from './dispatch.ts';
import { Dispatcher } from './dispatcher.ts';
import { Enqueue } from './enqueue.ts';
import { Inbox } from './inbox.ts';
import { RequestLine } from './invoke.ts';
import { lensOf } from './lens.ts';
import { Listener } from './listen.ts';
import { Observation } from './observe.ts';
import { Output } from './output.ts';
import type { PoisonOptions } from './projector.ts';
import { Projectors } from './projectors.ts';
import { rebuild } from './rebuild.ts';
import type { Registry } from './registry.ts';
import { startRelay } from './relay.ts';
import { ReplicaPort } from './replica.ts';
import type { ScheduleOptions } from './scheduler.ts';
import { registerSchedules, SCHEDULES } from './schedules.ts';
import type { Scheduling } from './scheduling.ts';
import { sharedListen } from './shared-listen.ts';
import { sharedRelay } from './shared-relay.ts';
import { background, coordinatorOf, declareIndexes } from './startup.ts';
import { type SnapshotIssue, StateCache } from './state-cache.ts';
import type { LiveLens, Whizbang } from './types.ts';
import { upcastingLedger } from './upcast.ts';
import { noOutbox } from './wire.ts';

/** Options of an app (from `build`). */
export interface AppOptions {
  readonly driver: Driver;
  readonly name: string;
  readonly maxCascadeDepth: number;
  readonly stateCacheSize: number;
  readonly snapshotEvery: number;
  readonly onSnapshotError: ((issue: SnapshotIssue) => void) | undefined;
  readonly observers: readonly Observer[];
  readonly onError: ((failure: BackgroundFailure) => void) | undefined;
  readonly poisonEvents: PoisonOptions;
  readonly receptorTimeoutMs: number;
  readonly coordinate: CoordinateOptions | undefined;
  readonly schedules: ScheduleOptions | undefined;
}

/** Builds the public app over a registry. */
export function createApp(registry: Registry, options: AppOptions): Whizbang<any, any> {
  const { driver, name } = options;
  const { store } = driver;
  // reads go through the upcasters when any event's shape has moved on
  const ledger =
    registry.eventVersions.size === 0
      ? driver.ledger
      : upcastingLedger(driver.ledger, registry.eventDefinitions);
  const cache = new StateCache(options.stateCacheSize, {
    store: driver.snapshots,
    every: options.snapshotEvery,
    onSnapshotError: options.onSnapshotError,
  });
  const output = new Output(registry);
  const report = background(options.onError, options.observers);
  const indexing = declareIndexes(registry, store, report);
  const changes = new Changes(store, ledger);
  const commit = new Committer(registry, driver, changes);
  const observation = new Observation(options.observers);
  const enqueue = new Enqueue(store, driver.name, name);
  const requests = new RequestLine();
  const decider = new Decider({
    registry,
    output,
    cache,
    ledger,
    commit,
    receptorTimeoutMs: options.receptorTimeoutMs,
  });
  const dispatcher = new Dispatcher({
    registry,
    ledger,
    service: name,
    maxCascadeDepth: options.maxCascadeDepth,
    decider,
    output,
    commit,
    enqueue,
    observation,
    requests,
  });
  const inbox = new Inbox(store, driver.name, dispatcher);
  const listener = new Listener(registry, dispatcher, inbox, requests, name);
  const coordinator = coordinatorOf(driver, options.coordinate, report);
  if (options.schedules !== undefined) registerSchedules(registry);
  const projectors = new Projectors(
    registry,
    ledger,
    store,
    { report, poison: options.poisonEvents, changes },
    coordinator,
    options.coordinate?.partitions,
  );
  let relays = 0;
  let closed = false;
  const open = (): void => {
    if (closed) throw new WhizbangError('CLOSED', `App "${name}" is closed; build a new one.`);
  };
  const waitForPerspectives = (position?: number, timeoutMs = 5000): Promise<void> =>
    projectors.waitFor(position, timeoutMs);
  const sender = new Sender(dispatcher, registry, observation, inbox, open, waitForPerspectives);
  // the scheduler's module is loaded only by an app built with `schedules`; it starts here, or
  // wherever the coordinator gives it its lease (its work is added now, so nothing waits on it)
  const scheduleOptions = options.schedules;
  const scheduling: Promise<Scheduling> | undefined =
    scheduleOptions === undefined
      ? undefined
      : import('./scheduling.ts').then(
          ({ Scheduling }) =>
            new Scheduling(
              registry,
              {
                store,
                send: (command, opts) => sender.send(command, opts),
                publish: (event, opts) => sender.publish([event], opts),
                report,
              },
              scheduleOptions,
            ),
        );
  // a module that fails to load is reported once, as the scheduler's failure, and never starts
  const loaded = scheduling?.catch((error: unknown) => {
    report({ source: 'scheduler', name: SCHEDULES, error, outcome: 'stopped' });
    return undefined;
  });
  if (loaded !== undefined && coordinator !== undefined)
    coordinator.add({
      name: 'schedules',
      start: async () => (await loaded)?.start(),
      stop: async () => (await loaded)?.stop(),
    });
  else void loaded?.then((s) => s?.start());
  const scheduled = (): Promise<Scheduling> => {
    open();
    if (scheduling === undefined)
      throw invalidArgument(
        `App "${name}" keeps no schedules: build it with \`schedules: true\` to use sendAt, sendAfter and timeouts that survive restarts.`,
      );
    return scheduling;
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

  const lenses = new Map<Perspective<any, any>, LiveLens<unknown>>();
  return {
    name,
    ledger,
    store,
    perspectives: registry.perspectives,
    coordination: coordinator,
    replica: new ReplicaPort(driver, registry, commit, dispatcher, cache),
    send: (command, opts) => sender.send(command, opts),
    sendMany: (commands, opts) => sender.sendMany(commands, opts),
    localInvoke: (command, opts) => sender.localInvoke(command, opts) as Promise<never>,
    localInvokeAndSync: (command, opts) =>
      sender.localInvokeAndSync(command, opts) as Promise<never>,
    publish: (event, opts) => sender.publish([event], opts),
    sendAt: async (command, at, opts) => (await scheduled()).sendAt(command, at, opts),
    sendAfter: async (command, delayMs, opts) =>
      (await scheduled()).sendAt(command, Date.now() + delayMs, opts),
    fireSchedules: async () => (await scheduled()).fire(),
    publishMany: (events, opts) => sender.publish(events, opts),
    lens(perspective) {
      // one lens per perspective, so a UI can key its subscriptions on it
      let lens = lenses.get(perspective);
      if (lens === undefined) {
        lens = lensOf(store, perspectiveOf(perspective), changes);
        lenses.set(perspective, lens);
      }
      return lens as LiveLens<any>;
    },
    async rebuild(perspective) {
      open();
      await rebuild(perspectiveOf(perspective), { ledger, store, commit, projectors });
    },
    waitForPerspectives,
    // loaded on the first call: an app that is never probed does not carry it
    health: async (healthOptions) =>
      (await import('./health.ts')).checkHealth(
        { ledger, store, checkpoints: projectors.checkpoints(), coordination: coordinator },
        healthOptions,
      ),
    relay(transport, relayOptions) {
      open();
      const outbox = store.outbox;
      if (outbox === undefined) throw noOutbox(driver.name);
      const wake = (listener: () => void): (() => void) => {
        const unlisten = enqueue.onEnqueued(listener);
        const unwatch = ledger.watch(listener);
        return () => {
          unwatch();
          unlisten();
        };
      };
      if (coordinator === undefined) return startRelay(outbox, transport, wake, relayOptions);
      relays += 1;
      const lease = relays === 1 ? 'relay' : `relay:${relays}`;
      return sharedRelay(coordinator, lease, () =>
        startRelay(outbox, transport, wake, relayOptions),
      );
    },
    listen(transport, listenOptions) {
      try {
        open();
        if (listenOptions?.exclusive !== true) return listener.listen(transport, listenOptions);
        if (coordinator === undefined)
          throw invalidArgument('listen({ exclusive: true }) needs an app built with coordinate.');
        const lease = `listen:${listenOptions.queue ?? name}`;
        return Promise.resolve(
          sharedListen(coordinator, lease, () => listener.listen(transport, listenOptions)),
        );
      } catch (error) {
        return Promise.reject(error);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      changes.close();
      await indexing;
      await coordinator?.stop();
      await (await loaded)?.stop(); // a module still loading is waited for
      await projectors.stop();
      await cache.flush(); // snapshots still being saved
      await driver.close?.();
    },
  };
}
