/**
 * `npx whizbang devtools` from the installed package, in a consumer project (a step of
 * `consumers.mjs`): an app module of the user's own — TypeScript, importing `whizbang`, a file
 * of its own (`./domain.js`, TypeScript's spelling) and zod — served with no bundler, on a copy of
 * a SQLite file the app wrote, and opened in Chromium: its command is listed, the copy is in the
 * lens, one sent from the form (fields from its schema) lands in the ledger table and the lens,
 * and the page has no error.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { launch } from '../browser/chromium.mjs';
import { must, ROOT, run } from './projects.mjs';

const DOMAIN = `import { defineCommand, defineEvent, definePerspective, defineReceptor, payload } from 'whizbang';
import * as z from 'zod/mini';

export const AddTodo = defineCommand('AddTodo', z.object({ id: z.string(), title: z.string() }));
export const TodoAdded = defineEvent('TodoAdded', payload<{ id: string; title: string }>());

export const addTodo = defineReceptor({
  command: AddTodo,
  stream: (c) => \`todo-\${c.data.id}\`,
  handle: (c) => TodoAdded(c.data),
});

interface Todo {
  readonly id: string;
  readonly title: string;
}
export const todos = definePerspective({
  name: 'todos',
  events: [TodoAdded],
  initial: (): Todo => ({ id: '', title: '' }),
  apply: (todo, e): Todo => ({ ...todo, id: e.data.id, title: e.data.title }),
});
`;
const APP = `import { whizbang } from 'whizbang';
import { addTodo, todos } from './domain.js';

export * from './domain.js';
export const app = whizbang('todo').receptor(addTodo).perspective(todos);
`;

// a SQLite file the same app wrote (from Node, as JavaScript): the copy the page starts from
const WRITER = `import { defineCommand, defineEvent, defineReceptor, payload, whizbang } from 'whizbang';
import { sqliteDriver } from 'whizbang/sqlite';

const AddTodo = defineCommand('AddTodo', payload());
const TodoAdded = defineEvent('TodoAdded', payload());
const addTodo = defineReceptor({ command: AddTodo, stream: (c) => \`todo-\${c.data.id}\`, handle: (c) => TodoAdded(c.data) });
const app = whizbang('todo').receptor(addTodo).build({ driver: sqliteDriver({ path: 'todo.db' }) });
await app.send(AddTodo({ id: 't0', title: 'From the copy' }));
await app.close();
`;

/** A port nothing listens on (taken, then given back). */
async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Writes the app into project `dir`, runs `npx whizbang devtools` there, drives the page; throws to fail. */
export async function devtoolsInChromium(dir) {
  // zod for the app; TypeScript strips the types on Node 20 (Node 22.13+ and Bun need none)
  for (const name of ['zod', 'typescript']) {
    const target = join(dir, 'node_modules', name);
    if (!existsSync(target)) symlinkSync(join(ROOT, 'node_modules', name), target, 'dir');
  }
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'src', 'domain.ts'), DOMAIN);
  writeFileSync(join(dir, 'src', 'todo.ts'), APP);
  writeFileSync(join(dir, 'write-todo-db.mjs'), WRITER);
  rmSync(join(dir, 'todo.db'), { force: true });
  must(run(process.execPath, ['write-todo-db.mjs'], { cwd: dir }), 'node write-todo-db.mjs');
  const args = [
    '--no-install',
    'whizbang',
    'devtools',
    '--app',
    './src/todo.ts',
    '--db',
    'todo.db',
  ];
  const child = spawn('npx', [...args, '--port', String(await freePort())], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // a process group of its own: npx does not pass Ctrl-C on, the group gets it
  });
  let output = '';
  child.stderr.on('data', (chunk) => (output += chunk));
  try {
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL in 30 s: ${output}`)), 30_000);
      child.stdout.on('data', (chunk) => {
        output += chunk;
        const found = /http:\/\/127\.0\.0\.1:\d+\//.exec(output);
        if (found) resolve(found[0], clearTimeout(timer));
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
    });
    const browser = await launch();
    try {
      const page = await browser.context.newPage();
      const errors = [];
      page.on('pageerror', (error) => errors.push(String(error)));
      await page.goto(url);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
      const commands = await page.locator('#command option').allTextContents();
      if (!commands.includes('AddTodo')) throw new Error(`commands listed: ${commands}`);
      const todos = page.locator('[data-lens="todos"] tbody tr');
      await todos.filter({ hasText: 'From the copy' }).waitFor({ timeout: 10_000 });
      await page.locator('#AddTodo-id').fill('t1');
      await page.locator('#AddTodo-title').fill('Ship devtools');
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await page.locator('#ledger tbody tr', { hasText: 'todo-t1' }).waitFor({ timeout: 10_000 });
      await todos.filter({ hasText: 'Ship devtools' }).waitFor();
      if ((await todos.count()) !== 2)
        throw new Error(`lens rows: ${await todos.allTextContents()}`);
      if (errors.length > 0) throw new Error(`errors on the page: ${errors.join('\n')}`);
    } finally {
      await browser.close();
    }
  } finally {
    try {
      process.kill(-child.pid, 'SIGINT');
    } catch {
      // the command has exited already: the error above says why
    }
  }
}
