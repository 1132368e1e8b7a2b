/** Opens the app on IndexedDB (so every tab of this origin shares it) and renders the page. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { indexedDbDriver } from 'whizbang/indexeddb';
import { App } from './app.tsx';
import { todoApp } from './domain.ts';

const app = todoApp({ driver: await indexedDbDriver({ name: 'whizbang-react-todo' }) });
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App app={app} />
  </StrictMode>,
);
document.body.dataset.ready = 'true';
