/**
 * Socket writes gathered per turn: the client writes each frame with its own `socket.write`, a
 * system call each; corked, what one turn of the event loop publishes goes out in one `writev`.
 */

import type { AMQPChannel } from '@cloudamqp/amqp-client';

/** What gathering writes needs of a TCP socket (a WebSocket has no such thing: left alone). */
interface CorkableSocket {
  readonly writableCorked?: number;
  cork?(): void;
  uncork?(): void;
}

/**
 * Gathers the socket writes of this turn into one: publishes made together (a window of them, a
 * batch from the relay) go out in one write instead of one system call each. The socket is
 * corked now and uncorked once the microtasks queued so far have run.
 */
export function gatherWrites(channel: AMQPChannel): void {
  const socket = (channel.connection as { socket?: CorkableSocket }).socket;
  if (socket?.cork === undefined || socket.uncork === undefined || socket.writableCorked !== 0) {
    return;
  }
  socket.cork();
  queueMicrotask(() => socket.uncork?.());
}
