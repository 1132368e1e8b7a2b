/**
 * `whizbang rebuild <perspective> --app <module>`: loads the user's app definition, builds it on
 * the target's driver and rebuilds one perspective, its checkpoint shown as progress.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Driver, Whizbang } from '../../js/mod.ts';
import type { Target } from '../backend.ts';
import { CliError } from '../fail.ts';
import { startProgress } from '../progress.ts';

type App = Pick<Whizbang, 'perspectives' | 'rebuild' | 'close'>;

/** What the app module may export (as `default` or `app`): a builder, or a function of the driver. */
type AppExport =
  | { build(options: { driver: Driver }): App }
  | ((options: { driver: Driver }) => App | Promise<App>);

/** Loads the module and builds its app on `driver`. */
export async function loadApp(module: string, driver: Driver): Promise<App> {
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(resolve(module)).href)) as Record<string, unknown>;
  } catch (cause) {
    throw new CliError(
      'BAD_APP_MODULE',
      `"${module}" could not be loaded: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
  const found = (loaded.app ?? loaded.default) as AppExport | undefined;
  if (typeof found === 'function') return await found({ driver });
  if (typeof found === 'object' && found !== null && typeof found.build === 'function') {
    return found.build({ driver });
  }
  throw new CliError(
    'BAD_APP_MODULE',
    `"${module}" must export (as \`app\` or default) the app's builder — whizbang('name').receptor(…).perspective(…), not built — or a function ({ driver }) => app.`,
  );
}

/** Rebuilds `name`; resolves with the checkpoint it reached. */
export async function rebuildPerspective(
  target: Target,
  name: string,
  module: string,
  showProgress: boolean,
): Promise<number> {
  const app = await loadApp(module, target.driver);
  try {
    const perspective = app.perspectives.get(name);
    if (perspective === undefined) {
      throw new CliError(
        'UNKNOWN_PERSPECTIVE',
        `The app has no perspective "${name}" (it has: ${[...app.perspectives.keys()].join(', ') || 'none'}).`,
      );
    }
    const head = await target.ledger.headPosition();
    const progress = showProgress ? startProgress(`rebuild ${name}`, head, 'positions') : undefined;
    let shown = 0;
    const poll = setInterval(() => {
      Promise.resolve(target.store.checkpoint(name)).then(
        (at) => {
          if (at > shown && at <= head) {
            progress?.tick(at - shown);
            shown = at;
          }
        },
        () => {},
      );
    }, 100);
    try {
      await app.rebuild(perspective);
    } finally {
      clearInterval(poll);
    }
    const at = await target.store.checkpoint(name);
    progress?.tick(Math.max(0, Math.min(head, at) - shown));
    progress?.done();
    return at;
  } finally {
    await app.close();
  }
}
