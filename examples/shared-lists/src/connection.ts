/**
 * The browser's link to the shared log, as a store the page reads: online or offline, the local
 * commits still waiting to be pushed, and the conflicts the server's decisions left (with their
 * messages). Going online opens the person's scoped view of the log over WebSocket and the push
 * link to the sync server, and runs sync in the background; going offline closes both. Commands
 * keep working offline: they wait as pending.
 */
import { type Readable, writable } from 'whizbang';
import { natsSyncLink } from 'whizbang/nats';
import { type OfflineDriver, type Sync, type SyncConflict, startSync } from 'whizbang/sync';
import { group, type ListsApp } from './domain.ts';

/** Where the shared log and the sync server are (the page reads it from /config.json). */
export interface Config {
  /** The nats-server's WebSocket URL. */
  readonly servers: string;
  /** Push subjects are `<subject>.<user>`. */
  readonly subject: string;
}

/** What the page shows of sync. */
export interface SyncStatus {
  /** `online` once a round went through; `connecting` until then; `offline` when cut off. */
  readonly state: 'online' | 'connecting' | 'offline';
  /** Why the last round failed, when it did. */
  readonly problem: string | undefined;
  /** Local commits not on the shared log yet. */
  readonly pending: number;
  /** Local commits the server refused, until dismissed. */
  readonly conflicts: readonly SyncConflict[];
}

type Open = { readonly sync: Sync; close(): Promise<void> };

/** One person's connection: open it with `online()`, cut it with `offline()`. */
export class Connection implements Readable<SyncStatus> {
  readonly #status = writable<SyncStatus>({
    state: 'offline',
    problem: undefined,
    pending: 0,
    conflicts: [],
  });
  #open: Promise<Open> | undefined;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly app: ListsApp,
    private readonly driver: OfflineDriver,
    private readonly config: Config,
    private readonly user: string,
    private readonly pass: string,
  ) {
    // pending commits and conflicts are read again often (cheap: a few rows in IndexedDB)
    this.#timer = setInterval(() => void this.refresh(), 500);
  }

  // bound, so React (useReadable) may call them as plain functions
  readonly subscribe = (run: (value: SyncStatus) => void): (() => void) =>
    this.#status.subscribe(run);
  readonly get = (): SyncStatus => this.#status.get();

  #set(change: Partial<SyncStatus>): void {
    this.#status.set({ ...this.#status.get(), ...change });
  }

  /** Reads the pending commits and the conflicts again. */
  async refresh(): Promise<void> {
    const [pending, conflicts] = await Promise.all([
      this.driver.pending(),
      this.driver.conflicts.query({ orderBy: { id: 'asc' } }),
    ]);
    const now = this.#status.get();
    if (
      now.pending !== pending.length ||
      JSON.stringify(now.conflicts.map((c) => c.id)) !== JSON.stringify(conflicts.map((c) => c.id))
    ) {
      this.#set({ pending: pending.length, conflicts });
    }
  }

  /** Connects and syncs in the background. */
  online(): Promise<void> {
    if (this.#open !== undefined) return this.#open.then(() => undefined);
    this.#set({ state: 'connecting', problem: undefined });
    const login = { servers: this.config.servers, user: this.user, pass: this.pass };
    // a round that ends after `offline()` (or a later `online()`) says nothing
    const current = (): boolean => this.#open === opening;
    const opening = (async (): Promise<Open> => {
      // one link: pushes go to the sync server, and reads come through it, only the groups (lists)
      // this person may see now
      const server = await natsSyncLink({ ...login, subject: this.config.subject, as: this.user });
      const sync = startSync(this.app, {
        server,
        group,
        intervalMs: 2_000,
        onRound: () => {
          if (current()) this.#set({ state: 'online', problem: undefined });
          void this.refresh();
        },
        onConflict: () => void this.refresh(),
        onError: (error) => {
          if (current()) {
            this.#set({ state: 'connecting', problem: (error as Error).message ?? String(error) });
          }
        },
      });
      sync.start();
      return {
        sync,
        async close() {
          await sync.stop();
          await server.close();
        },
      };
    })();
    this.#open = opening;
    opening.catch((error: unknown) => {
      if (!current()) return;
      this.#open = undefined;
      this.#set({ state: 'offline', problem: (error as Error).message ?? String(error) });
    });
    return opening.then(() => undefined);
  }

  /** Stops syncing and closes the connections; commands keep working, pending. */
  async offline(): Promise<void> {
    const open = this.#open;
    this.#open = undefined;
    // offline once the round under way ended and the link is closed: nothing goes out after
    await (await open?.catch(() => undefined))?.close();
    if (this.#open === undefined) this.#set({ state: 'offline', problem: undefined });
  }

  /** Forgets a conflict the person has read. */
  async dismiss(id: string): Promise<void> {
    await this.driver.dismiss(id);
    await this.refresh();
  }

  /** Closes everything. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.offline();
  }
}
