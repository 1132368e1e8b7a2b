#!/usr/bin/env node
/**
 * The `whizbang` command: inspect, read, follow, export, import, verify, rebuild and migrate an
 * event log on a SQLite file, a PostgreSQL URL or a JetStream shared log.
 *
 * @example
 * ```sh
 * npx whizbang inspect --db bank.db
 * npx whizbang export --db postgres://postgres@127.0.0.1/test?schema=bank -o bank.jsonl
 * npx whizbang import --db copy.db -i bank.jsonl
 * ```
 */
import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { startDevtools } from './commands/devtools.ts';
import { printEvents } from './commands/events.ts';
import { exportEvents } from './commands/export.ts';
import { importEvents } from './commands/import.ts';
import { describe, inspect } from './commands/inspect.ts';
import { describeMigration, migrate } from './commands/migrate.ts';
import { rebuildPerspective } from './commands/rebuild.ts';
import {
  exportSegmentFile,
  formatOf,
  importSegmentFile,
  verifySegments,
} from './commands/segments.ts';
import { verify } from './commands/verify.ts';
import { CliError, report } from './fail.ts';
import { type FilterFlags, filterOf, list, positiveInteger, time } from './options.ts';
import { startProgress } from './progress.ts';
import { withTarget } from './target.ts';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

// `whizbang events --json | head`: a reader that has had enough ends the command quietly
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const dbOption = (): Option =>
  new Option(
    '-d, --db <target>',
    'a SQLite file, postgres://…[?schema=name] or nats://…[?stream=NAME&prefix=subjects]',
  )
    .env('WHIZBANG_DB')
    .makeOptionMandatory();

const jsonOption = (): Option => new Option('--json', 'JSON output (JSON lines for events)');

/** Adds the filter options of `events`, `tail` and `export`. */
function filters(command: Command): Command {
  return command
    .option('--stream <id>', 'one stream instead of the whole log')
    .option('--tenant <tenant>', 'one tenant (with --stream: the stream’s tenant)')
    .option('--type <types>', 'only these event types (repeat it, or separate with commas)', list)
    .option('--from <position>', 'from this global position', positiveInteger)
    .option('--to <position>', 'up to this global position', positiveInteger)
    .option('--since <time>', 'from this time: ISO date, epoch ms, or ago (15m, 2h, 7d)', time)
    .option('--until <time>', 'before this time', time);
}

/** Runs an action, reporting its failure with a code and an exit status. */
function action<A extends unknown[]>(
  work: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args) => {
    const flags = args.find((a) => a instanceof Command) as Command | undefined;
    try {
      await work(...args);
    } catch (error) {
      report(error, flags?.opts().json === true);
    }
  };
}

const program = new Command('whizbang')
  .description('Look into and move a Whizbang event log (SQLite, PostgreSQL, JetStream).')
  .version(version)
  .showHelpAfterError('(whizbang help <command> for its options)')
  .exitOverride();

program
  .command('inspect')
  .description(
    'streams, events by type, head, tenants, perspectives with lag, outbox, pending sync',
  )
  .addOption(dbOption())
  .addOption(jsonOption())
  .action(
    action(async (flags: { db: string; json?: boolean }) => {
      const found = await withTarget(flags.db, { create: false }, inspect);
      process.stdout.write(flags.json ? `${JSON.stringify(found)}\n` : describe(found));
    }),
  );

/** `events` and `tail` share this; `tail` follows from near the head. */
function reader(name: string, description: string, tail: boolean): void {
  const command = program.command(name).description(description).addOption(dbOption());
  filters(command)
    .addOption(jsonOption())
    .option('-f, --follow', 'go on with events as they commit (Ctrl-C stops)', tail)
    .option('-n, --last <count>', 'start this many positions before the head', positiveInteger)
    .option('--limit <count>', 'at most this many events', positiveInteger)
    .action(
      action(
        async (
          flags: FilterFlags & {
            db: string;
            json?: boolean;
            follow: boolean;
            last?: number;
            limit?: number;
          },
        ) => {
          const stop = new AbortController();
          process.once('SIGINT', () => stop.abort());
          process.once('SIGTERM', () => stop.abort());
          await withTarget(flags.db, { create: false }, (target) =>
            printEvents(
              target,
              filterOf(flags),
              {
                json: flags.json === true,
                follow: flags.follow,
                last: flags.last ?? (tail ? 10 : undefined),
                limit: flags.limit,
              },
              stop.signal,
            ),
          );
        },
      ),
    );
}
reader('events', 'read the log or a stream, filtered (a table, or JSON lines with --json)', false);
reader('tail', 'the last events, then new ones as they commit (events -n 10 --follow)', true);

filters(
  program
    .command('export')
    .description('write the log (or what the filters name) as JSON lines, with progress')
    .addOption(dbOption())
    .option('-o, --output <file>', 'the file to write (- for stdout)', '-'),
)
  .option('--format <format>', 'jsonl, or segments (binary, each with its CRC32C)', 'jsonl')
  .option('--no-progress', 'no progress on stderr')
  .action(
    action(
      async (
        flags: FilterFlags & { db: string; output: string; progress: boolean; format: string },
      ) => {
        const segments = (await formatOf(flags.format)) === 'segments';
        const n = await withTarget(flags.db, { create: false }, (target) =>
          (segments ? exportSegmentFile : exportEvents)(
            target,
            filterOf(flags),
            flags.output,
            flags.progress,
          ),
        );
        if (flags.output !== '-') process.stderr.write(`exported ${n} events to ${flags.output}\n`);
      },
    ),
  );

program
  .command('import')
  .description('append a JSON-lines file to the log, checked whole first (positions, versions)')
  .addOption(dbOption())
  .requiredOption(
    '-i, --input <file>',
    'the JSON-lines file (from export or events --json), or a segment file (- for stdin, with --format segments)',
  )
  .option('--format <format>', 'jsonl or segments (default: what the file starts with)')
  .option('--append', 'let the log give positions (versions are still checked)', false)
  .option('--no-progress', 'no progress on stderr')
  .addOption(jsonOption())
  .action(
    action(
      async (flags: {
        db: string;
        input: string;
        format?: string;
        append: boolean;
        progress: boolean;
        json?: boolean;
      }) => {
        const segments = (await formatOf(flags.format, flags.input)) === 'segments';
        const n = await withTarget(flags.db, { create: true }, (target) =>
          segments
            ? importSegmentFile(target, flags.input, {
                append: flags.append,
                progress: flags.progress,
              })
            : importEvents(target, flags.input, { append: flags.append, progress: flags.progress }),
        );
        process.stdout.write(
          flags.json ? `${JSON.stringify({ imported: n })}\n` : `imported ${n} events\n`,
        );
      },
    ),
  );

program
  .command('verify')
  .description(
    'check the log: gapless positions, contiguous versions, decodable payloads; or, with --input, every CRC32C of a segment file',
  )
  .addOption(dbOption().makeOptionMandatory(false))
  .option(
    '-i, --input <file>',
    'a segment file (export --format segments; - for stdin) to check instead',
  )
  .addOption(jsonOption())
  .option('--no-progress', 'no progress on stderr')
  .action(
    action(async (flags: { db?: string; input?: string; json?: boolean; progress: boolean }) => {
      if (flags.input !== undefined) {
        const file = await verifySegments(flags.input);
        process.stdout.write(
          flags.json
            ? `${JSON.stringify({ ok: true, ...file })}\n`
            : `ok: ${file.events} events in ${file.segments} segments (positions ${file.firstPosition}..${file.lastPosition}), every CRC32C, length and hash right\n`,
        );
        return;
      }
      if (flags.db === undefined)
        throw new CliError(
          'USAGE',
          'verify needs --db <target> (a log) or --input <file> (a segment file).',
        );
      const db = flags.db;
      const result = await withTarget(db, { create: false }, (target) =>
        verify(target.ledger, flags.progress ? (head) => startProgress('verify', head) : undefined),
      );
      process.stdout.write(
        flags.json
          ? `${JSON.stringify({ ok: true, ...result })}\n`
          : `ok: ${result.events} events, positions 1..${result.head} without a gap, ${result.streams} streams with contiguous versions, every payload readable\n`,
      );
    }),
  );

program
  .command('rebuild')
  .description('rebuild a perspective of your app from the log, with progress')
  .argument('<perspective>', 'the perspective’s name')
  .addOption(dbOption())
  .requiredOption(
    '--app <module>',
    'your app’s module: exports its builder (or ({ driver }) => app)',
  )
  .option('--no-progress', 'no progress on stderr')
  .addOption(jsonOption())
  .action(
    action(
      async (
        name: string,
        flags: { db: string; app: string; progress: boolean; json?: boolean },
      ) => {
        const at = await withTarget(flags.db, { create: false }, (target) =>
          rebuildPerspective(target, name, flags.app, flags.progress),
        );
        process.stdout.write(
          flags.json
            ? `${JSON.stringify({ perspective: name, checkpoint: at })}\n`
            : `rebuilt ${name} up to position ${at}\n`,
        );
      },
    ),
  );

program
  .command('migrate')
  .description(
    "show the database's schema version and the migrations to apply; --apply applies them",
  )
  .addOption(dbOption())
  .option('--apply', 'apply the migrations', false)
  .addOption(jsonOption())
  .action(
    action(async (flags: { db: string; apply: boolean; json?: boolean }) => {
      const m = await migrate(flags.db, flags.apply);
      process.stdout.write(flags.json ? `${JSON.stringify(m)}\n` : describeMigration(m));
    }),
  );

program
  .command('devtools')
  .description(
    "the playground's views over your app: forms for its commands, lenses, ledger, flow, time travel",
  )
  .requiredOption(
    '--app <module>',
    'your app’s module: exports its builder (or ({ driver }) => app)',
  )
  .option('-d, --db <target>', 'start from a copy of this log (never written)')
  .option(
    '--live <ws-url>',
    'follow a JetStream log, read-only: ws://host:port?stream=NAME&prefix=p',
  )
  .option('--port <port>', 'the port (default 5173, or the next free one)', positiveInteger)
  .action(
    action(async (flags: { app: string; db?: string; live?: string; port?: number }) => {
      const devtools = await startDevtools(flags);
      const copy =
        flags.db !== undefined
          ? ` (a copy of ${devtools.events} events)`
          : flags.live !== undefined
            ? ` (following ${flags.live}, read-only)`
            : '';
      process.stdout.write(`Whizbang devtools${copy}: ${devtools.url}\nCtrl-C stops it.\n`);
      await new Promise((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await devtools.close();
    }),
  );

try {
  await program.parseAsync();
} catch (error) {
  // commander has printed the usage error; help and --version end well
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else report(error, false);
}
// a connection a driver left open must not keep a finished command waiting
setTimeout(() => process.exit(), 2000).unref();
