/** What the broker's refusal of a channel operation means, as a Whizbang error with a stable code. */

import { WhizbangError } from '../../js/mod.ts';
import type { RabbitConnection } from './connection.ts';

/** The error of `action`, refused by the broker (or cut off with the connection). */
export function refused(
  error: unknown,
  action: string,
  connection: RabbitConnection,
): WhizbangError {
  const text = error instanceof Error ? error.message : String(error);
  if (/PRECONDITION_FAILED|\(406\)/.test(text)) {
    return new WhizbangError(
      'INVALID_ARGUMENT',
      `Cannot ${action}: RabbitMQ refused it (${text}). A queue or exchange of that name exists with other settings (another mode, queue type or expiry): use another exchange or queue group name, or delete the old one (rabbitmqctl delete_queue <name>).`,
      { cause: error },
    );
  }
  if (/ACCESS_REFUSED|\(403\)/.test(text)) {
    return new WhizbangError(
      'FORBIDDEN',
      `Cannot ${action}: RabbitMQ refused it (${text}). Give the user configure, write and read permissions on the transport's exchanges and queues (rabbitmqctl set_permissions -p <vhost> <user> <configure> <write> <read>).`,
      { cause: error },
    );
  }
  if (/RESOURCE_LOCKED|\(405\)/.test(text)) {
    return new WhizbangError(
      'INVALID_ARGUMENT',
      `Cannot ${action}: RabbitMQ refused it (${text}): another connection holds that queue exclusively. Use another name.`,
      { cause: error },
    );
  }
  return connection.down(action, error);
}
