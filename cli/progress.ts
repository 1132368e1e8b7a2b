/**
 * Progress of a long command on stderr: in a terminal, a bar drawn by cli-progress (count, rate,
 * ETA); piped or redirected, a plain line about once a second and one when done, for logs.
 */
import { Presets, SingleBar } from 'cli-progress';

/** A running progress display. */
export interface Progress {
  /** `n` more items are done. */
  tick(n: number): void;
  /** Ends the display with its last line. */
  done(): void;
}

/** Where progress goes: a stream that may be a terminal. */
export interface ProgressOutput {
  /** Writes text. */
  write(text: string): unknown;
  /** True for a terminal. */
  readonly isTTY?: boolean;
}

const seconds = (ms: number): string =>
  ms >= 60_000
    ? `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`
    : `${(ms / 1000).toFixed(1)}s`;

/** Starts a display of `total` items (`unit`: what they are) labelled `label`. */
export function startProgress(
  label: string,
  total: number,
  unit = 'events',
  output: ProgressOutput = process.stderr,
): Progress {
  const started = Date.now();
  let count = 0;
  const rate = (): number => {
    const elapsed = (Date.now() - started) / 1000;
    return elapsed > 0 ? Math.round(count / elapsed) : 0;
  };
  if (output.isTTY === true) {
    const bar = new SingleBar(
      {
        format: `${label} {bar} {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted}`,
        hideCursor: true,
        stream: output as NodeJS.WriteStream,
        fps: 10,
        etaBuffer: 50,
      },
      Presets.shades_classic,
    );
    bar.start(total, 0, { rate: 0 });
    return {
      tick(n) {
        count += n;
        bar.update(count, { rate: rate() });
      },
      done() {
        bar.update(count, { rate: rate() });
        bar.stop();
      },
    };
  }
  let lastLine = started;
  const line = (end: string): void => {
    const percent = total > 0 ? Math.floor((count / total) * 100) : 100;
    output.write(
      `${label}: ${count}/${total} ${unit} (${percent}%), ${rate()} ${unit}/s, ${end}\n`,
    );
  };
  return {
    tick(n) {
      count += n;
      const now = Date.now();
      if (now - lastLine < 1000) return;
      lastLine = now;
      const perMs = count / (now - started);
      line(`ETA ${perMs > 0 ? seconds((total - count) / perMs) : '?'}`);
    },
    done() {
      line(`done in ${seconds(Date.now() - started)}`);
    },
  };
}
