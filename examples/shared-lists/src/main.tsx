/**
 * The client: a sign-in form, then the person's lists on IndexedDB (a database per person, so two
 * people on one browser keep theirs apart), syncing through the sync server.
 */
import { type FormEvent, StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { indexedDbDriver } from 'whizbang/indexeddb';
import { offlineDriver } from 'whizbang/sync';
import { App } from './app.tsx';
import { type Config, Connection } from './connection.ts';
import { listsApp } from './domain.ts';

const config = (await (await fetch('./config.json')).json()) as Config;
const root = createRoot(document.getElementById('root')!);

async function open(user: string, pass: string): Promise<void> {
  const driver = offlineDriver(await indexedDbDriver({ name: `shared-lists-${user}` }));
  const app = listsApp({ driver });
  const connection = new Connection(app, driver, config, user, pass);
  void connection.online();
  root.render(
    <StrictMode>
      <App app={app} user={user} connection={connection} />
    </StrictMode>,
  );
}

function SignIn() {
  const [user, setUser] = useState('');
  const [pass, setPass] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (user.trim() !== '') void open(user.trim(), pass);
  };
  return (
    <main>
      <h1>Shared lists</h1>
      <form onSubmit={submit}>
        <input aria-label="User" value={user} onChange={(e) => setUser(e.target.value)} />
        <input
          aria-label="Password"
          type="password"
          value={pass}
          onChange={(e) => setPass(e.target.value)}
        />
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}

root.render(
  <StrictMode>
    <SignIn />
  </StrictMode>,
);
document.body.dataset.ready = 'true';
