/** Names and clean-up for what the RabbitMQ tests and benchmarks declare on a shared broker. */
import { AMQPClient } from '@cloudamqp/amqp-client';

/** A name unique to this run, for exchanges. */
export function runName(kind: string): string {
  return `wb.${kind}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * Deletes what a transport on `exchange` declared: its exchanges and dead-letter queue, and
 * `more` queues and exchanges (a queue group's queues expire by themselves when so declared).
 */
export async function dropTopology(
  url: string,
  exchange: string,
  more: { readonly queues?: readonly string[]; readonly exchanges?: readonly string[] } = {},
): Promise<void> {
  const client = new AMQPClient(url);
  client.onerror = () => undefined;
  await client.connect();
  try {
    const channel = await client.channel();
    for (const queue of [`${exchange}.dead-letters`, ...(more.queues ?? [])]) {
      await channel.queueDelete(queue);
    }
    const exchanges = [exchange, `${exchange}.requests`, `${exchange}.dead-letter`];
    for (const name of [...exchanges, ...(more.exchanges ?? [])])
      await channel.exchangeDelete(name);
  } finally {
    await client.close();
  }
}
