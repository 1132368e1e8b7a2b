/**
 * The parts of `@opentelemetry/api`'s metrics the Whizbang metrics use, as structural types: a
 * real `Meter` satisfies them, and nothing here needs the package installed.
 */

/** Metric attribute values these metrics set. */
export type MetricAttributes = Record<string, string | number | boolean>;

/** What an observable instrument's callback reports into. */
export interface ObservableResult {
  /** Reports one value with its attributes. */
  observe(value: number, attributes?: MetricAttributes): void;
}

/** The part of a `Meter` these metrics use. */
export interface OtelMeter {
  /** A monotonic counter. */
  createCounter(
    name: string,
    options?: { description?: string; unit?: string },
  ): { add(value: number, attributes?: MetricAttributes): void };
  /** A histogram. */
  createHistogram(
    name: string,
    options?: { description?: string; unit?: string },
  ): { record(value: number, attributes?: MetricAttributes): void };
  /** A gauge read when metrics are collected. */
  createObservableGauge(
    name: string,
    options?: { description?: string; unit?: string },
  ): {
    addCallback(callback: (result: ObservableResult) => void | Promise<void>): void;
    removeCallback(callback: (result: ObservableResult) => void | Promise<void>): void;
  };
}
