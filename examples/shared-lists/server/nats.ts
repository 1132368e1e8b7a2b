/**
 * The example's own nats-server: JetStream in a folder of its own, a WebSocket listener for the
 * browsers, and one NATS user per person with exactly the permissions server mode with stream
 * groups needs (`syncPermissions` of `whizbang/nats`: push as oneself, hear one's own inbox). The sync server logs in as `server`, with full rights.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { syncPermissions } from 'whizbang/nats';

/** Where the shared log lives and who may reach it. */
export interface NatsOptions {
  /** The folder for the config and the JetStream store. */
  readonly dir: string;
  /** The users and their passwords. */
  readonly users: Readonly<Record<string, string>>;
  /** The sync server's password. */
  readonly serverPassword: string;
  /** Push subjects are `<subject>.<user>`. */
  readonly subject: string;
  /** The nats-server binary (default `NATS_SERVER_BIN` or /usr/sbin/nats-server). */
  readonly bin?: string;
}

/** A running nats-server. */
export interface RunningNats {
  /** `nats://127.0.0.1:<port>`, for Node. */
  readonly url: string;
  /** `ws://127.0.0.1:<port>`, for browsers. */
  readonly wsUrl: string;
  /** Stops it. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function listening(port: number, child: ChildProcess): Promise<void> {
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`nats-server exited (${child.exitCode}).`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, '127.0.0.1');
      socket.once('connect', () => resolve(socket.end() !== undefined));
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nats-server did not listen on ${port} within 15 s.`);
}

/** Writes the config and starts nats-server; resolves once both listeners take connections. */
export async function startNats(options: NatsOptions): Promise<RunningNats> {
  mkdirSync(options.dir, { recursive: true });
  const [port, wsPort] = [await freePort(), await freePort()];
  const users = Object.entries(options.users).map(([user, password]) => ({
    user,
    password,
    // each person pushes only as themselves and reads only through the sync server: no JetStream
    permissions: syncPermissions({ user, subject: options.subject, groups: true }),
  }));
  const config = [
    `listen: "127.0.0.1:${port}"`,
    `jetstream { store_dir: ${JSON.stringify(join(options.dir, 'jetstream'))} }`,
    // browsers connect here; nats-server 2.9 needs the host given for the WebSocket listener
    `websocket { host: "127.0.0.1", port: ${wsPort}, no_tls: true }`,
    `authorization { users: ${JSON.stringify([
      { user: 'server', password: options.serverPassword },
      ...users,
    ])} }`,
  ].join('\n');
  const file = join(options.dir, 'nats-server.conf');
  writeFileSync(file, `${config}\n`);
  const bin = options.bin ?? process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';
  const child = spawn(bin, ['-c', file], { stdio: 'ignore' });
  // however this process ends (short of SIGKILL), the server it started ends with it
  const orphan = (): void => {
    if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.once('exit', orphan);
  const failed = new Promise<never>((_, reject) =>
    child.once('error', (error) =>
      reject(
        new Error(`Could not start ${bin} (install nats-server, or set NATS_SERVER_BIN).`, {
          cause: error,
        }),
      ),
    ),
  );
  await Promise.race([Promise.all([listening(port, child), listening(wsPort, child)]), failed]);
  return {
    url: `nats://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    async stop() {
      process.off('exit', orphan);
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
