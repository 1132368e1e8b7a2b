/**
 * The principal a command was sent with, beside its envelope rather than in it: an envelope
 * travels (outbox, transports, sync), a principal never does — it is what this process knows of
 * the sender, given to `send` or by a sync server from the authenticated connection. A receptor's
 * `authorize` hook is asked here before the decision.
 */
import type { Principal } from '../definitions/principal.ts';
import type { Receptor } from '../definitions/receptor.ts';
import type { Envelope } from '../messages/envelope.ts';
import type { Command } from '../messages/message.ts';
import { ForbiddenError, invalidArgument } from '../util/errors.ts';
import { chain, type MaybePromise } from '../util/maybe.ts';

const principals = new WeakMap<Envelope, Principal>();

/** Checks a principal given to the API (a user id and a tenant, as strings). */
export function checkPrincipal(principal: Principal): Principal {
  const { userId, tenant } = principal ?? {};
  if (typeof userId !== 'string' || typeof tenant !== 'string' || !userId || !tenant) {
    throw invalidArgument('A principal needs `userId` and `tenant`, as strings.');
  }
  return principal;
}

/** `envelope` is sent by `principal` (kept beside it in this process only). */
export function actAs(envelope: Envelope, principal: Principal): void {
  principals.set(envelope, principal);
}

/** The principal `envelope` was sent with, if any. */
export function principalOf(envelope: Envelope): Principal | undefined {
  return principals.get(envelope);
}

/**
 * Asks `receptor`'s `authorize` hook about a command sent with a principal; throws (or rejects
 * with) a `ForbiddenError` when it refuses. Undefined when there is nothing to ask.
 */
export function authorized(
  receptor: Receptor,
  command: Command,
  state: unknown,
  envelope: Envelope,
  streamId: string | undefined,
): MaybePromise<void> {
  const hook = receptor.authorize;
  const principal = hook === undefined ? undefined : principals.get(envelope);
  if (principal === undefined) return;
  const verdict = hook!({ command, principal, state, tenant: envelope.tenant, streamId });
  return chain(verdict, (v) => {
    if (v === true) return;
    throw new ForbiddenError(
      principal.userId,
      (typeof v === 'string' && v) || `User ${principal.userId} may not send "${command.type}".`,
    );
  });
}
