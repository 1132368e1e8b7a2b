/**
 * A RabbitMQ node of a test's own: its own node name, AMQP and distribution ports, Erlang cookie,
 * config, data and log folders (all through RABBITMQ_* variables, so the shared broker on 5672
 * and its files are never touched), killed and restarted by the pid of its Erlang VM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, listening } from './ports.ts';

/** The broker's start script: `RABBITMQ_SERVER_BIN`, or Debian's (the one that does not `su`). */
export const RABBITMQ_SERVER_BIN: string =
  process.env.RABBITMQ_SERVER_BIN ?? '/usr/lib/rabbitmq/bin/rabbitmq-server';

/** Whether the start script is there (the tests that start nodes need it). */
export function rabbitmqServerInstalled(): boolean {
  return existsSync(RABBITMQ_SERVER_BIN);
}

/** A running (or stopped) node of the test. */
export interface OwnRabbitServer {
  /** `amqp://guest:guest@127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** The Erlang VM's pid, while it runs. */
  readonly pid: number | undefined;
  /** Kills the VM by its pid (SIGKILL unless told) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same ports and data. */
  start(): Promise<void>;
  /** Kills it and removes its folder. */
  dispose(): Promise<void>;
}

/** Starts a node; it takes a few seconds (the Erlang VM and the broker boot). */
export async function startRabbitServer(): Promise<OwnRabbitServer> {
  const dir = mkdtempSync(join(tmpdir(), 'whizbang-rabbitmq-'));
  const port = await freePort();
  const distPort = await freePort();
  const cookie = join(dir, '.erlang.cookie');
  writeFileSync(cookie, `WHIZBANG${Math.random().toString(36).slice(2).toUpperCase()}`);
  chmodSync(cookie, 0o400);
  writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.default = 127.0.0.1:${port}\n`);
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  const pidFile = join(dir, 'rabbitmq.pid');
  const env = {
    ...process.env,
    HOME: dir, // the Erlang cookie is read from $HOME
    RABBITMQ_NODENAME: `whizbang-${process.pid}-${port}@localhost`,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_PID_FILE: pidFile,
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  };
  let child: ChildProcess | undefined;
  let vm: number | undefined;
  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const running = child;
    const pid = vm;
    child = undefined;
    vm = undefined;
    if (running === undefined) return;
    // the start script waits for the VM and exits after it
    const exited = new Promise((resolve) => {
      if (running.exitCode !== null || running.signalCode !== null) resolve(undefined);
      else running.once('exit', resolve);
    });
    if (pid !== undefined) {
      try {
        process.kill(pid, signal);
      } catch {
        // gone already
      }
    } else running.kill(signal);
    await exited;
  };
  const start = async (): Promise<void> => {
    rmSync(pidFile, { force: true });
    const started = spawn(RABBITMQ_SERVER_BIN, [], { env, stdio: 'ignore', cwd: dir });
    child = started;
    const failed = new Promise<never>((_, reject) => {
      started.once('exit', (code) => {
        reject(new Error(`rabbitmq-server exited with ${code}; see ${join(dir, 'log')}`));
      });
    });
    failed.catch(() => undefined);
    await Promise.race([listening(port, 60_000, 'rabbitmq-server'), failed]);
    vm = Number(readFileSync(pidFile, 'utf8').trim());
  };
  try {
    await start();
  } catch (error) {
    await kill();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    port,
    get pid() {
      return vm;
    },
    kill,
    start,
    async dispose() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
