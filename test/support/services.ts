import pg from 'pg';

/**
 * Tests that need a service (PostgreSQL, NATS): when it cannot be reached they fail with `CI` set,
 * and elsewhere say loudly that they were skipped.
 */

/** Whether `check` reaches the service; throws under CI when it does not. */
export async function reachable(
  service: string,
  check: () => Promise<unknown>,
  hint: string,
): Promise<boolean> {
  try {
    await check();
    return true;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    if (process.env.CI) {
      throw new Error(`${service} is not reachable (${why}) and CI is set: ${hint}`);
    }
    process.stderr.write(
      `\n!!! ${service} is not reachable (${why}): its tests are SKIPPED. ${hint}\n\n`,
    );
    return false;
  }
}

/** The PostgreSQL the tests use: `DATABASE_URL`, or the local server. */
export const DATABASE_URL: string =
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** How to start the local PostgreSQL when it is down. */
export const PG_HINT =
  'Start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set DATABASE_URL.';

/** Whether the tests' PostgreSQL answers (see {@link reachable}); `who` names the tests. */
export function postgresReachable(who = 'PostgreSQL'): Promise<boolean> {
  return reachable(
    who,
    async () => {
      const client = new pg.Client({
        connectionString: DATABASE_URL,
        connectionTimeoutMillis: 3000,
      });
      await client.connect();
      await client.end();
    },
    PG_HINT,
  );
}

/** The NATS server the tests use: `NATS_URL`, or the local server (JetStream on). */
export const NATS_URL: string = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** How to start the local NATS server when it is down. */
export const NATS_HINT =
  'Start it (start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server) or set NATS_URL.';

/** Whether the tests' NATS server answers with JetStream on (see {@link reachable}). */
export function natsReachable(who = 'NATS'): Promise<boolean> {
  return reachable(
    who,
    async () => {
      const { connect } = await import('@nats-io/transport-node');
      const { jetstreamManager } = await import('@nats-io/jetstream');
      const nc = await connect({ servers: NATS_URL, timeout: 3000, reconnect: false });
      try {
        await (await jetstreamManager(nc)).getAccountInfo();
      } finally {
        await nc.close();
      }
    },
    NATS_HINT,
  );
}

/** The RabbitMQ broker the tests use: `RABBITMQ_URL`, or the local one (guest/guest). */
export const RABBITMQ_URL: string = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** How to start the local RabbitMQ when it is down. */
export const RABBITMQ_HINT = 'Start it (/etc/init.d/rabbitmq-server start) or set RABBITMQ_URL.';

/** Whether the tests' RabbitMQ answers (see {@link reachable}). */
export function rabbitmqReachable(who = 'RabbitMQ'): Promise<boolean> {
  return reachable(
    who,
    async () => {
      const { AMQPClient } = await import('@cloudamqp/amqp-client');
      const client = new AMQPClient(RABBITMQ_URL);
      client.onerror = () => undefined;
      await client.connect();
      await client.close();
    },
    RABBITMQ_HINT,
  );
}
