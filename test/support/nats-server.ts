/**
 * A nats-server of a test's own: on a free port, with its JetStream store in a temporary folder,
 * killed and restarted by its pid (the shared server on NATS_URL is never touched).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, listening } from './ports.ts';
import { reachable } from './services.ts';

/** The nats-server binary: `NATS_SERVER_BIN`, or Debian's. */
export const NATS_SERVER_BIN: string = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

/** Whether the binary is there (the tests that start servers need it). */
export function natsServerInstalled(): boolean {
  return existsSync(NATS_SERVER_BIN);
}

/** Whether the binary is there, as {@link reachable} says it (fails under CI when it is not). */
export function natsServerAvailable(who: string): Promise<boolean> {
  return reachable(
    `nats-server binary (${who})`,
    async () => {
      if (!natsServerInstalled()) throw new Error('no nats-server binary');
    },
    'Install nats-server (apt-get install nats-server) or set NATS_SERVER_BIN.',
  );
}

/** A running (or stopped) server of the test. */
export interface OwnNatsServer {
  readonly url: string;
  readonly port: number;
  /** `ws://127.0.0.1:<port>` when started with `websocket`. */
  readonly wsUrl: string | undefined;
  readonly pid: number | undefined;
  /** Kills the process by its pid (SIGKILL unless told), and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and store. */
  start(): Promise<void>;
  /** Kills it and removes its folder. */
  dispose(): Promise<void>;
}

/**
 * Starts a server with JetStream; `config` is extra config-file text (e.g. an authorization block).
 * With `websocket`, it also listens for WebSocket clients (browsers) on another free port, no TLS.
 */
export async function startNatsServer(
  config = '',
  options: { websocket?: boolean } = {},
): Promise<OwnNatsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'whizbang-nats-'));
  const port = await freePort();
  const wsPort = options.websocket ? await freePort() : undefined;
  const file = join(dir, 'server.conf');
  writeFileSync(
    file,
    `listen: "127.0.0.1:${port}"\njetstream { store_dir: ${JSON.stringify(join(dir, 'js'))} }\n` +
      (wsPort === undefined
        ? ''
        : `websocket { host: "127.0.0.1", port: ${wsPort}, no_tls: true }\n`) +
      `${config}\n`,
  );
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn(NATS_SERVER_BIN, ['-c', file], { stdio: 'ignore' });
    await listening(port, 10_000, 'nats-server');
    if (wsPort !== undefined) await listening(wsPort, 10_000, 'nats-server');
  };
  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const running = child;
    child = undefined;
    if (running?.pid === undefined || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    process.kill(running.pid, signal);
    await exited;
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    wsUrl: wsPort === undefined ? undefined : `ws://127.0.0.1:${wsPort}`,
    get pid() {
      return child?.pid;
    },
    kill,
    start,
    async dispose() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
