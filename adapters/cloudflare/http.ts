/**
 * An outbox relay's way out of a Worker: each envelope POSTed as JSON (`{ topic, envelope }`) to an
 * HTTP endpoint. A 2xx answer is delivery; a 5xx, a 429 or no answer is UNAVAILABLE (the relay
 * pauses and tries again); any other answer fails that record (retried with backoff, then a dead
 * letter). The endpoint receives at least once: dedupe by `envelope.messageId`.
 */
import {
  type Transport,
  type TransportSubscription,
  WhizbangError,
  type WireEnvelope,
} from '../../js/mod.ts';

/** Options of {@link httpTransport}. */
export interface HttpTransportOptions {
  /** Where envelopes are POSTed. */
  readonly url: string;
  /** Headers added to every request (an authorization token, say). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The fetch to use (default the global one; a service binding's `fetch` works too). */
  readonly fetch?: (request: Request) => Promise<Response>;
}

/** A publish-only transport that POSTs each envelope to `options.url`. */
export function httpTransport(options: HttpTransportOptions): Transport {
  const send = options.fetch ?? ((request: Request) => fetch(request));
  return {
    name: 'http',
    async publish(topic: string, envelope: WireEnvelope): Promise<void> {
      let response: Response;
      try {
        response = await send(
          new Request(options.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...options.headers },
            body: JSON.stringify({ topic, envelope }),
          }),
        );
      } catch (cause) {
        throw new WhizbangError(
          'UNAVAILABLE',
          `${options.url} did not answer; the relay tries again.`,
          {
            cause,
          },
        );
      }
      // the body is not read: let it go
      await response.body?.cancel();
      if (response.ok) return;
      if (response.status >= 500 || response.status === 429) {
        throw new WhizbangError(
          'UNAVAILABLE',
          `${options.url} answered ${response.status}; the relay tries again.`,
        );
      }
      throw new WhizbangError(
        'REMOTE_FAILED',
        `${options.url} refused ${envelope.messageId} on ${topic} with ${response.status}.`,
      );
    },
    subscribe(): TransportSubscription {
      throw new WhizbangError(
        'INVALID_ARGUMENT',
        'The HTTP transport only publishes: receive with a route of your Worker instead.',
      );
    },
  };
}
