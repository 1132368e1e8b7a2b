/** Text report of a runtime run: a summary line, then each failure with its error. */
import { countsOf, ROOT } from './runtimes.mjs';

const MAX_MESSAGE_LINES = 30;
const MAX_FRAMES = 3;
const MAX_OUTPUT_LINES = 20;

function indent(lines, by) {
  return lines.map((line) => (line ? `${by}${line}` : line));
}

function shortenPaths(text) {
  return text.replaceAll(`file://${ROOT}/`, '').replaceAll(`${ROOT}/`, '');
}

// Frames in the test and library code; the shim's, the runtime's and jest's own frames are noise.
function usefulFrames(stack) {
  return stack
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at '))
    .filter((line) => !/test\/runtimes\/|node_modules|ext:|node:|native/.test(line))
    .slice(0, MAX_FRAMES)
    .map(shortenPaths);
}

function describeError(error) {
  if (!error) return [];
  const text = shortenPaths(error.message);
  const message = text.split('\n');
  const shown = message.slice(0, MAX_MESSAGE_LINES);
  if (message.length > shown.length) shown.push(`… ${message.length - shown.length} more lines`);
  if (!['Error', 'JestAssertionError', 'string'].includes(error.name)) {
    shown[0] = `${error.name}: ${shown[0]}`;
  }
  const frames = usefulFrames(error.stack).filter((frame) => !text.includes(frame.slice(3)));
  return [...shown, ...frames];
}

/** Lines that describe `run` (see runtimes.mjs `runRuntime`). */
export function formatRun(run) {
  const { passed, failed, skipped } = countsOf(run);
  const files = new Set(run.results.map((r) => r.file)).size;
  const seconds = (run.ms / 1000).toFixed(1);
  const lines = [
    `${run.version}: ${files} file${files === 1 ? '' : 's'}, ${passed} passed, ${failed} failed, ${skipped} skipped (${seconds}s)`,
  ];
  for (const result of run.results.filter((r) => r.status === 'fail')) {
    lines.push(`  FAIL ${[result.file, ...result.name].join(' › ')}`);
    lines.push(...indent(describeError(result.error), '      '));
  }
  for (const problem of run.problems) lines.push(`  FAIL ${run.runtime}: ${problem}`);
  if (run.output.length > 0) {
    const shown = run.output.slice(-MAX_OUTPUT_LINES);
    lines.push(`  output (${run.output.length} lines outside the protocol, last ${shown.length}):`);
    lines.push(...indent(shown.map(shortenPaths), '    | '));
  }
  return lines;
}

/**
 * How a Chromium harness (test/browser) ends: prints its run's report, any `notes`, then
 * `<label>: N passed, M failed` (a problem counts as a failure), and sets the exit code.
 */
export function reportChromiumRun({ label, version, started, results, problems, notes = [] }) {
  const run = {
    runtime: 'chromium',
    version,
    ms: Date.now() - started,
    results,
    problems,
    output: [],
  };
  for (const line of formatRun(run)) console.log(line);
  for (const note of notes) console.log(note);
  const passed = results.filter((r) => r.status === 'pass').length;
  const failed = results.filter((r) => r.status === 'fail').length + problems.length;
  console.log(`${label}: ${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}
