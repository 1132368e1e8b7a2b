/** A replica process of the chaos run, as the run drives it: orders in, answers out, killed at will. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Answer, Order } from './protocol.ts';

const script = fileURLToPath(new URL('./replica.ts', import.meta.url));

/** One replica process, restartable on its file. */
export class ReplicaProcess {
  readonly file: string;
  readonly #args: readonly string[];
  #child: ChildProcess | undefined;
  #waiting: Array<{ resolve: (a: Answer) => void; reject: (e: Error) => void }> = [];
  /** How often it died (killed, or killed itself at an armed point). */
  deaths = 0;

  constructor(file: string, servers: string, stream: string, prefix: string) {
    this.file = file;
    this.#args = [file, servers, stream, prefix];
  }

  /** Whether the process runs. */
  get alive(): boolean {
    return this.#child !== undefined;
  }

  /** Starts the process and waits for it to be ready. */
  async start(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...this.#args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.#child = child;
    let stderr = '';
    child.stderr!.on('data', (chunk) => {
      stderr += String(chunk);
    });
    let buffer = '';
    const ready = new Promise<void>((resolve, reject) => {
      this.#waiting.push({ resolve: () => resolve(), reject });
    });
    child.stdout!.on('data', (chunk) => {
      buffer += String(chunk);
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim() === '') continue;
        const answer = JSON.parse(line) as Answer;
        this.#waiting.shift()?.resolve(answer);
      }
    });
    child.once('exit', (code, signal) => {
      if (this.#child === child) this.#child = undefined;
      this.deaths += signal === 'SIGKILL' ? 1 : 0;
      const error = new Error(`replica exited (${signal ?? code}): ${stderr.slice(-2000)}`);
      for (const w of this.#waiting.splice(0)) w.reject(error);
    });
    child.stdin!.on('error', () => undefined);
    await ready;
  }

  /** Sends an order; its answer, or undefined when the process died first. */
  async order(order: Order): Promise<Answer | undefined> {
    const child = this.#child;
    if (child === undefined) return undefined;
    const answer = new Promise<Answer>((resolve, reject) =>
      this.#waiting.push({ resolve, reject }),
    );
    child.stdin!.write(`${JSON.stringify(order)}\n`);
    try {
      const a = await answer;
      if (a.re === 'failed') throw new Error(`replica failed: ${String(a.error)}`);
      return a;
    } catch (error) {
      if (this.#child === undefined) return undefined; // it died (as armed, or killed)
      throw error;
    }
  }

  /** Kills the process (SIGKILL) and waits for it to be gone. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }
}
