// How tests wait, so that they pass on a busy machine: CI may share its two cores with other work
// and run everything several times slower than on a quiet day. Timeouts in tests detect hangs;
// they never assert speed (figures come from bench/, see README).
// - TEST_BUDGET_MS is how long one test or hook may run (vitest.config.ts, playwright.config.ts).
// - CALL_TIMEOUT_MS is the timeout of calls tests and their fixtures make to services: a call is
//   never given up on while its test could still pass.
// - waitFor polls a condition instead of sleeping for a margin, with the same budget.
// - Whatever expires (tokens, reservations, open circuit breakers) runs on a TestClock the test
//   moves, never on the wall clock.

/** Longest a test or hook may run before it counts as hung: many times what any test needs quietly. */
export const TEST_BUDGET_MS = 5 * 60_000;

/**
 * For a test whose waits give up only once progress stops (WaitOptions.progress), so it may run
 * longer than TEST_BUDGET_MS on a busy machine: a backstop against hangs outside those waits.
 */
export const LONG_TEST_BUDGET_MS = 4 * TEST_BUDGET_MS;

/**
 * Timeout of one call a test makes to a service, and the default budget of one waitFor: the
 * test's budget, less a little so that a failure names the call or the condition.
 */
export const CALL_TIMEOUT_MS = TEST_BUDGET_MS - 30_000;

export interface WaitOptions {
  /** What is awaited, for the failure message; may read the current state. */
  describe?: string | (() => string | Promise<string>);
  /**
   * A snapshot of the work being done (counts, statuses). With it the wait gives up only after
   * the snapshot stopped changing for the whole budget: a slow machine moves slowly, a stuck
   * one does not move at all.
   */
  progress?: () => unknown;
  /** Default CALL_TIMEOUT_MS. */
  timeoutMs?: number;
  /** A fixed poll interval, for a condition that may hold only briefly. Default: 50 ms, growing to 500 ms. */
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns a value other than false, null or undefined, and returns that
 * value; fails after the budget (see WaitOptions.progress) naming what it waited for.
 */
export async function waitFor<T>(probe: () => T | Promise<T>, options: WaitOptions = {}): Promise<Exclude<T, false | null | undefined>> {
  const budget = options.timeoutMs ?? CALL_TIMEOUT_MS;
  const snapshot = async () => JSON.stringify(await options.progress?.());
  let last = await snapshot();
  let deadline = Date.now() + budget;
  // Quick to notice at first; a long wait polls less often, so it does not slow what it waits for.
  let intervalMs = options.intervalMs ?? 50;
  for (;;) {
    const value = await probe();
    if (value !== false && value !== null && value !== undefined) return value as Exclude<T, false | null | undefined>;
    if (options.progress) {
      const now = await snapshot();
      if (now !== last) {
        last = now;
        deadline = Date.now() + budget;
      }
    }
    if (Date.now() > deadline) {
      const what = typeof options.describe === "function" ? await options.describe() : (options.describe ?? "a condition");
      throw new Error(`waited ${budget / 1000} s${options.progress ? " without progress" : ""} for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    if (options.intervalMs === undefined) intervalMs = Math.min(intervalMs * 1.5, 500);
  }
}

/** A clock a test moves by hand, for whatever expires. Starts at the real time. */
export interface TestClock {
  /** For code that takes `now: () => Date`. */
  now(): Date;
  /** For code that takes `now: () => number` (milliseconds). */
  millis(): number;
  advance(ms: number): void;
}

export function testClock(start = Date.now()): TestClock {
  let at = start;
  return {
    now: () => new Date(at),
    millis: () => at,
    advance(ms) {
      at += ms;
    },
  };
}
