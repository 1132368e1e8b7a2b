/**
 * An app of one's own as a playground domain (`whizbang devtools --app <module>`): the module is
 * the one `whizbang rebuild --app` takes — it exports (as `app` or default) the app's builder, not
 * built, or a function `({ driver }) => app`. Its other exports are read for what the page shows:
 * the commands (exported command definitions, and the commands of exported receptors) get forms —
 * fields from a command's schema when it has one, else a JSON field — and every perspective the
 * built app has gets a lens table.
 */
import type {
  BuildOptions,
  CommandDefinition,
  EventDefinition,
  Perspective,
  Whizbang,
} from '../../../js/mod.ts';
import type { CommandSpec, Domain, LensSpec, LiveLog, ReceptorInfo } from './types.ts';

/** How the page names the app, and where its starting events come from. */
export interface AppDomainOptions {
  /** The domain's id (its IndexedDB database is named after it). */
  readonly id: string;
  /** The title in the page's header and picker. */
  readonly title: string;
  /** A URL answering the events to start from, as a JSON array (a copy of `--db`'s log). */
  readonly seed?: string;
  /** A running system's log to follow, read-only (`--live`). */
  readonly live?: LiveLog;
}

type Builder = { build(options: BuildOptions): Whizbang<any, any> };
type AppFunction = (options: BuildOptions) => Whizbang<any, any>;

const isCommand = (v: unknown): v is CommandDefinition<string, any, any> =>
  typeof v === 'function' &&
  (v as { kind?: unknown }).kind === 'command' &&
  typeof (v as { type?: unknown }).type === 'string';
const isEvent = (v: unknown): v is EventDefinition<string, any, any> =>
  typeof v === 'function' && (v as { kind?: unknown }).kind === 'event';
const isReceptor = (v: unknown): v is { command: CommandDefinition; state: unknown } =>
  typeof v === 'object' &&
  v !== null &&
  isCommand((v as { command?: unknown }).command) &&
  typeof (v as { decide?: unknown }).decide === 'function';

/** The app's builder or function, as `rebuild --app` finds it. */
function appOf(module: Record<string, unknown>): (options: BuildOptions) => Whizbang<any, any> {
  const found = (module.app ?? module.default) as Builder | AppFunction | undefined;
  if (typeof found === 'object' && found !== null && typeof found.build === 'function')
    return (options) => found.build(options);
  if (typeof found === 'function') return found;
  throw new Error(
    "The app module must export (as `app` or default) the app's builder — whizbang('name').receptor(…).perspective(…), not built — or a function ({ driver }) => app.",
  );
}

/** The model's id for the diff pane: its `id`, else its first field whose name ends in "id". */
function idOf(model: Record<string, unknown>): string {
  if (model.id !== undefined) return String(model.id);
  const key = Object.keys(model).find((k) => /id$/i.test(k));
  return key === undefined ? '' : String(model[key]);
}

/** The domain of a user's app module. */
export function appDomain(module: Record<string, unknown>, options: AppDomainOptions): Domain {
  const build = appOf(module);
  const exported = Object.values(module);
  const commands = new Map<string, CommandSpec>();
  const receptors: ReceptorInfo[] = [];
  for (const value of exported) {
    if (!isReceptor(value) || receptors.some((r) => r.command === value.command.type)) continue;
    const stream = value.state ? 'stateful' : 'stateless';
    receptors.push({ command: value.command.type, stream, emits: [] });
  }
  for (const definition of [
    ...exported.filter(isReceptor).map((r) => r.command),
    ...exported.filter(isCommand),
  ]) {
    if (commands.has(definition.type)) continue;
    commands.set(definition.type, {
      definition,
      ...(definition.schema === undefined ? {} : { schema: definition.schema }),
      summary:
        definition.schema === undefined
          ? 'its data as JSON (the command has no schema to make fields from).'
          : 'the fields of its schema.',
      example: () => ({}),
    });
  }
  // filled when the app is built: every perspective it has
  const lenses: LensSpec[] = [];
  const seed = options.seed;
  return {
    id: options.id,
    title: options.title,
    summary: `${options.title}, loaded from its module: ${commands.size} commands, ${receptors.length} of them with a receptor exported.`,
    commands: [...commands.values()],
    events: exported.filter(isEvent),
    receptors,
    reactions: [],
    lenses,
    ids: async () => [],
    build(buildOptions) {
      const app = build(buildOptions);
      lenses.splice(
        0,
        lenses.length,
        ...[...app.perspectives.values()].map(
          (perspective: Perspective<any, any>): LensSpec => ({
            label: perspective.name,
            perspective,
            idOf,
          }),
        ),
      );
      return app;
    },
    ...(options.live === undefined ? {} : { live: options.live }),
    ...(seed === undefined
      ? {}
      : {
          seed: async () => {
            const response = await fetch(seed);
            if (!response.ok) throw new Error(`The events to start from: ${response.status}`);
            return (await response.json()) as [];
          },
        }),
  };
}
