/**
 * `localInvoke` across processes, the calling side: a command routed to `'remote'` is sent as a
 * request on the transport the app listens on, and resolves with the answer.
 */
import type { Transport } from '../contracts/transport.ts';
import { type Envelope, endHop, startHop } from '../messages/envelope.ts';
import type { Command } from '../messages/message.ts';
import { WhizbangError } from '../util/errors.ts';
import type { Outcome } from './flow.ts';
import type { Route } from './registry.ts';
import { wireEnvelope } from './wire.ts';

/** The transport an app invokes remote receptors through: the newest one it listens on that carries requests. */
export class RequestLine {
  #transport: Transport | undefined;

  /** The transport in use, if any. */
  get transport(): Transport | undefined {
    return this.#transport;
  }

  /** Invokes through `transport` from now on. */
  use(transport: Transport): void {
    this.#transport = transport;
  }

  /** Stops invoking through `transport` (when it is the one in use). */
  release(transport: Transport): void {
    if (this.#transport === transport) this.#transport = undefined;
  }
}

/** Invokes the receptor of the app that answers on the route's topic; resolves with its value. */
export function invokeRemote(
  transport: Transport | undefined,
  service: string,
  envelope: Envelope<Command>,
  route: Route,
): Promise<Outcome> {
  if (transport?.request === undefined) {
    throw new WhizbangError(
      'NO_HANDLER',
      `"${envelope.message.type}" is routed to 'remote', but app "${service}" listens on no transport that carries requests. Call app.listen(transport) first (the memory and NATS transports carry them).`,
    );
  }
  const hop = startHop(envelope, `remote:${route.topic}`, service);
  return transport
    .request(route.topic, wireEnvelope(envelope), { timeoutMs: route.timeoutMs })
    .then(
      (value) => {
        endHop(hop);
        return { value, append: undefined };
      },
      (error: unknown) => {
        endHop(hop); // a failed invoke still says how long it took
        throw error;
      },
    );
}
