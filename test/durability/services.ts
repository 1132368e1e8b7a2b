/**
 * What a rig file needs around it: PostgreSQL and the nats-server binary (under CI their absence
 * fails; elsewhere their rows are skipped loudly), a nats-server of the file's own, and the places
 * its stores live in — all cleaned up after the file.
 */
import { afterAll } from 'vitest';
import { killWorkers } from '../adapters/sqlite-workers/harness.ts';
import {
  natsServerAvailable,
  type OwnNatsServer,
  startNatsServer,
} from '../support/nats-server.ts';
import { postgresReachable } from '../support/services.ts';
import { Places } from './setup.ts';

/** The services of one rig file. */
export interface RigServices {
  readonly postgres: boolean;
  readonly nats: boolean;
  readonly places: Places;
  /** The file's own server, when nats-server is there. */
  readonly broker: OwnNatsServer | undefined;
}

/** Finds and starts what a rig file needs, and registers its cleanup. */
export async function rigServices(): Promise<RigServices> {
  const postgres = await postgresReachable('PostgreSQL (durability rig)');
  const nats = await natsServerAvailable('durability rig');
  const places = new Places();
  const broker = nats ? await startNatsServer() : undefined;
  afterAll(async () => {
    killWorkers();
    await broker?.dispose();
    await places.dispose();
  });
  return { postgres, nats, places, broker };
}
