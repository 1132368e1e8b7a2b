/** A TypeScript program in a process of its own (through tsx), for tests that span processes. */
import { type ChildProcess, spawn } from 'node:child_process';

/**
 * Starts `script` with `args` and waits until it prints "ready"; rejects with what it wrote to
 * stderr when it exits first or takes over `timeoutMs`. Its stdin is a pipe: ending it is how the
 * tests ask such a program to close.
 */
export async function startReady(
  script: string,
  args: readonly string[],
  timeoutMs = 30_000,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += String(chunk);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${script} not ready: ${stderr}`)),
        timeoutMs,
      );
      child.stdout!.on('data', (chunk) => {
        if (String(chunk).includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited with ${code}: ${stderr}`));
      });
    });
  } catch (error) {
    if (child.exitCode === null) child.kill();
    throw error;
  }
  return child;
}
