/** The sync panel: online or not, what waits to be pushed, and the conflicts with their messages. */
import { useReadable } from 'whizbang/react';
import type { Connection } from './connection.ts';

export function SyncPanel({ connection }: { readonly connection: Connection }) {
  const status = useReadable(connection);
  const offline = status.state === 'offline';
  return (
    <section id="sync" aria-label="Sync">
      <span id="state" className={status.state}>
        {status.state}
      </span>
      <span id="pending">{status.pending} pending</span>
      <button
        type="button"
        onClick={() => void (offline ? connection.online() : connection.offline())}
      >
        {offline ? 'Go online' : 'Go offline'}
      </button>
      {status.problem ? <small id="problem">{status.problem}</small> : null}
      {status.conflicts.length > 0 ? (
        <ul id="conflicts" aria-label="Conflicts">
          {status.conflicts.map((c) => (
            <li key={c.id} role="alert">
              <strong>{c.command?.type ?? 'Change'} not kept:</strong> {c.message}{' '}
              <button type="button" onClick={() => void connection.dismiss(c.id)}>
                Dismiss
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
