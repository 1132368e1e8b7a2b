/**
 * The principal: who sends a command or reads a lens, as the app knows it from an authenticated
 * connection or session — never from a message's envelope, which a client writes.
 */

/** Who acts: a user in a tenant, with what the app knows of them. */
export interface Principal {
  /** The user's id. */
  readonly userId: string;
  /** The tenant the user acts in: commands are decided and lenses read under it. */
  readonly tenant: string;
  /** The user's roles, for `authorize` hooks and lens scopes. */
  readonly roles?: readonly string[];
  /** Anything else the app knows of the user (JSON-compatible). */
  readonly claims?: Readonly<Record<string, unknown>>;
}
