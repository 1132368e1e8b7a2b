/**
 * A three-node nats-server cluster of a test's own: client and route ports free on 127.0.0.1, each
 * node's JetStream store in a temporary folder, each node killed and restarted by its pid (the
 * shared server on NATS_URL is never touched).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NATS_SERVER_BIN } from './nats-server.ts';
import { freePort, listening } from './ports.ts';

/** One node of the cluster. */
export interface ClusterNode {
  /** Its `server_name` (what JetStream names a stream's leader by). */
  readonly name: string;
  readonly url: string;
  /** Kills it with SIGKILL and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and store. */
  start(): Promise<void>;
}

/** A running cluster. */
export interface NatsCluster {
  readonly nodes: readonly ClusterNode[];
  /** Every node's client URL. */
  readonly servers: readonly string[];
  /** The node named `name`. */
  node(name: string): ClusterNode;
  /** Kills every node and removes their folders. */
  dispose(): Promise<void>;
}

/** Starts three JetStream nodes routed to each other, cluster `name`. */
export async function startNatsCluster(name = 'whizbang'): Promise<NatsCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'whizbang-nats-cluster-'));
  const ports: number[] = [];
  const routes: number[] = [];
  for (let i = 0; i < 3; i++) {
    ports.push(await freePort());
    routes.push(await freePort());
  }
  const children = new Map<string, ChildProcess>();
  const nodes = ports.map((port, i): ClusterNode => {
    const nodeName = `n${i + 1}`;
    const file = join(dir, `${nodeName}.conf`);
    writeFileSync(
      file,
      [
        `server_name: ${nodeName}`,
        `listen: "127.0.0.1:${port}"`,
        `jetstream { store_dir: ${JSON.stringify(join(dir, nodeName))} }`,
        `cluster {`,
        `  name: ${name}`,
        `  listen: "127.0.0.1:${routes[i]}"`,
        `  routes: [${routes.map((r) => `"nats-route://127.0.0.1:${r}"`).join(', ')}]`,
        `}`,
        '',
      ].join('\n'),
    );
    return {
      name: nodeName,
      url: `nats://127.0.0.1:${port}`,
      async start() {
        children.set(nodeName, spawn(NATS_SERVER_BIN, ['-c', file], { stdio: 'ignore' }));
        await listening(port, 10_000, `nats-server ${nodeName}`);
      },
      async kill() {
        const child = children.get(nodeName);
        children.delete(nodeName);
        if (child?.pid === undefined || child.exitCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        process.kill(child.pid, 'SIGKILL');
        await exited;
      },
    };
  });
  await Promise.all(nodes.map((n) => n.start()));
  return {
    nodes,
    servers: nodes.map((n) => n.url),
    node(nodeName) {
      const found = nodes.find((n) => n.name === nodeName);
      if (found === undefined) throw new Error(`no node ${nodeName}`);
      return found;
    },
    async dispose() {
      await Promise.all(nodes.map((n) => n.kill()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
