/** What the chaos run says to a replica process, and what a replica tells of itself. */

/** The accounts every run shares (overdraft limit 0). */
export const ACCOUNTS: readonly string[] = ['a1', 'a2', 'a3', 'a4', 'a5'];

/** An order to a replica process (one JSON line on its stdin). */
export type Order =
  | {
      readonly op: 'send';
      readonly id: string;
      readonly type: 'Deposit' | 'Withdraw';
      readonly accountId: string;
      readonly amount: number;
    }
  | { readonly op: 'offline' | 'online' | 'settle' | 'dump' | 'close' }
  | { readonly op: 'arm'; readonly at: 'push' | 'rebase' | 'round' }
  | { readonly op: 'open'; readonly accountId: string };

/** An event as a dump shows it. */
export interface DumpedEvent {
  readonly streamId: string;
  readonly version: number;
  readonly type: string;
  readonly messageId: string;
  readonly causationId: string;
  readonly data: unknown;
}

/** What a replica holds at the end. */
export interface Dump {
  readonly events: readonly DumpedEvent[];
  readonly balances: Readonly<Record<string, number>>;
  readonly conflicts: ReadonlyArray<{ readonly id: string; readonly code: string }>;
  readonly pending: number;
  readonly errors: number;
}

/** A replica's answer to an order. */
export type Answer = { readonly re: string } & Record<string, unknown>;
