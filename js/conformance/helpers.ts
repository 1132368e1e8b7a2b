/**
 * Shared pieces of the conformance suites: a fresh driver per test, failures as values, waiting
 * without fake timers, and readable test data. Imports only what the cross-runtime shim offers.
 */
import { faker } from '@faker-js/faker';
import { afterEach, beforeEach } from 'vitest';
import type { Driver, NewEvent, RecordedEvent } from './whizbang.ts';

/** Makes a fresh, empty driver; sync drivers may return it directly. */
export type DriverFactory = () => Promise<Driver> | Driver;

/** The driver of the running test. */
export interface DriverBox {
  readonly current: Driver;
}

/** Gives every test in the enclosing `describe` a fresh driver, closed after the test. */
export function useDriver(factory: DriverFactory): DriverBox {
  let driver: Driver | undefined;
  beforeEach(async () => {
    driver = await factory();
  });
  afterEach(async () => {
    const open = driver;
    driver = undefined;
    await open?.close?.();
  });
  return {
    get current(): Driver {
      if (driver === undefined) throw new Error('No driver: use it inside a test.');
      return driver;
    },
  };
}

/** Runs `fn` with a fresh driver and closes it after, for property runs. */
export async function withDriver<T>(
  factory: DriverFactory,
  fn: (driver: Driver) => Promise<T>,
): Promise<T> {
  const driver = await factory();
  try {
    return await fn(driver);
  } finally {
    await driver.close?.();
  }
}

/** What `fn` threw or rejected with; fails the test when it succeeded. */
export async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('Expected a failure, but the call succeeded.');
}

/** The host's timers and cloning, which every runtime the suites run on has. */
export const host = globalThis as unknown as {
  setTimeout(callback: () => void, ms?: number): unknown;
  structuredClone<T>(value: T): T;
};

/** Resolves after `ms` milliseconds of real time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => host.setTimeout(resolve, ms));
}

/** Waits until `check` holds, polling; fails after `timeoutMs`. */
export async function eventually(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('The condition did not hold in time.');
    await sleep(1);
  }
}

/** 1..n (or from..to), inclusive. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(to - from + 1, 0) }, (_, i) => from + i);
}

/** A bank-account event with readable, JSON-safe data. */
export function accountEvent(
  type: string = faker.helpers.arrayElement(['Deposited', 'Withdrawn', 'Renamed']),
  extra: Partial<NewEvent> = {},
): NewEvent {
  return {
    type,
    data: {
      amount: faker.number.int({ min: 1, max: 10_000 }),
      by: faker.person.fullName(),
      note: faker.lorem.sentence(),
    },
    ...extra,
  };
}

/** `count` account events. */
export function accountEvents(count: number, type?: string): NewEvent[] {
  return Array.from({ length: count }, () => accountEvent(type));
}

/** A fresh stream id. */
export function streamId(prefix = 'account'): string {
  return `${prefix}-${faker.string.alphanumeric(10)}`;
}

/** The parts of a recorded event that come from what was appended, for comparing with input. */
export function appended(event: RecordedEvent): { type: string; data: unknown } {
  return { type: event.type, data: event.data };
}

/**
 * Strings that break naive storage: quotes, SQL, LIKE wildcards, control characters, unicode
 * (composed and decomposed, beyond U+FFFF), case and padding variants, and ids at the default
 * `maxIdBytes` limit (1024 bytes of UTF-8). Every driver keeps each exactly.
 */
export const ODD_STRINGS: readonly string[] = [
  `it's "quoted"`,
  `a'; DROP TABLE events; --`,
  'semi;colon',
  'soh\u0001byte',
  'tab\tnew\nline\r',
  'back\\slash',
  'percent%under_score',
  'percent%',
  'emoji 🧪 ünïcödé 漢字 ✓',
  'caf\u00e9',
  'cafe\u0301',
  'Stream',
  'stream',
  'stream ',
  ' ',
  'x'.repeat(1_024),
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢'.repeat(36),
];
