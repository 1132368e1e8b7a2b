/**
 * Commands sent through a store: `send` through an app, and whether a send is under way, how the
 * last one ended, as a {@link Readable} a UI subscribes to (React's `useCommand` is built on it).
 */
import type { Command } from '../messages/message.ts';
import { type Readable, writable } from './readable.ts';
import type { DeliveryReceipt, SendOptions, Whizbang } from './types.ts';

/** What a sender holds: sends under way, and the last one's outcome. */
export interface CommandState {
  /** True while at least one send is under way. */
  readonly pending: boolean;
  /** The last finished send's error (`undefined` when it succeeded). */
  readonly error: unknown;
  /** The last finished send's receipt (`undefined` when it failed, or before any). */
  readonly receipt: DeliveryReceipt | undefined;
}

/** A store of sends: `send` commands through it, subscribe to their state. */
export interface CommandStore<C extends Command> extends Readable<CommandState> {
  /**
   * Sends `command` through the app. Never rejects: it resolves with the receipt, or with
   * `undefined` when the send failed (the error is the state's `error`), so a click handler
   * can call it and go on.
   */
  send<M extends C>(command: M, options?: SendOptions): Promise<DeliveryReceipt | undefined>;
  /** Forgets the last outcome (error and receipt); sends under way go on. */
  reset(): void;
}

const IDLE: CommandState = Object.freeze({ pending: false, error: undefined, receipt: undefined });

/**
 * A {@link CommandStore} over `app.send`.
 * @example
 * ```ts
 * const adding = commandStore(app);
 * adding.subscribe(({ pending, error }) => console.log(pending ? 'saving…' : (error ?? 'saved')));
 * await adding.send(AddTodo({ id: '1', title: 'Write the docs' }));
 * ```
 */
export function commandStore<C extends Command>(app: Whizbang<C, any>): CommandStore<C> {
  const store = writable<CommandState>(IDLE);
  let under = 0;
  const put = (next: Partial<CommandState>): void =>
    store.set(Object.freeze({ ...store.get(), ...next }));
  return {
    subscribe: store.subscribe,
    get: store.get,
    async send(command, options) {
      under++;
      put({ pending: true });
      try {
        const receipt = await app.send(command, options);
        under--;
        put({ pending: under > 0, error: undefined, receipt });
        return receipt;
      } catch (error) {
        under--;
        put({ pending: under > 0, error, receipt: undefined });
        return undefined;
      }
    },
    reset: () => put({ error: undefined, receipt: undefined }),
  };
}
