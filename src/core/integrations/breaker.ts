/**
 * A small circuit breaker shared by all external clients.
 *
 * closed -> (failureThreshold consecutive failures) -> open
 * open -> (resetTimeoutMs elapsed) -> half_open: one trial call goes through
 * half_open -> trial succeeds -> closed; trial fails -> open again
 *
 * While open, calls fail at once instead of piling up on a service that is down.
 */

export type BreakerState = "closed" | "open" | "half_open";

/** What a failed call says about the service behind the breaker (see CircuitBreaker.run). */
export type ErrorVerdict = "failure" | "healthy" | "not_reached";

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. Default 5. */
  failureThreshold?: number;
  /** How long the circuit stays open before a trial call. Default 10 s. */
  resetTimeoutMs?: number;
  /** Clock, injectable for tests. */
  now?: () => number;
  /** Called on every state change (for logs and metrics). */
  onStateChange?: (from: BreakerState, to: BreakerState) => void;
}

/** Thrown by `run` when the circuit is open; clients translate it to ExternalServiceError. */
export class CircuitOpenError extends Error {
  override readonly name = "CircuitOpenError";
  constructor(readonly retryAfterMs: number) {
    super(`Circuit open; next trial in ${retryAfterMs} ms`);
  }
}

export class CircuitBreaker {
  private readonly failureThreshold: number;
  private readonly resetTimeoutMs: number;
  private readonly now: () => number;
  private readonly onStateChange: ((from: BreakerState, to: BreakerState) => void) | undefined;
  private currentState: BreakerState = "closed";
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;

  constructor(options: BreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? 5;
    this.resetTimeoutMs = options.resetTimeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
    this.onStateChange = options.onStateChange;
  }

  get state(): BreakerState {
    if (this.currentState === "open" && this.now() - this.openedAt >= this.resetTimeoutMs) {
      this.transition("half_open");
    }
    return this.currentState;
  }

  /**
   * Runs `fn` through the breaker. `judge` says what an error tells about the service: a
   * "failure" (outage, timeout) counts against it; "healthy" (it answered, say a 4xx) resets the
   * count like a success; "not_reached" (the call never left this process) changes nothing.
   */
  async run<T>(fn: () => Promise<T>, judge: (err: unknown) => ErrorVerdict = () => "failure"): Promise<T> {
    const state = this.state;
    if (state === "open") {
      throw new CircuitOpenError(Math.max(0, this.resetTimeoutMs - (this.now() - this.openedAt)));
    }
    const isTrial = state === "half_open";
    if (isTrial) {
      // Only one probe at a time; everyone else keeps failing fast until it reports back.
      if (this.trialInFlight) throw new CircuitOpenError(0);
      this.trialInFlight = true;
    }
    try {
      const result = await fn();
      this.recordSuccess();
      return result;
    } catch (err) {
      const verdict = judge(err);
      if (verdict === "failure") this.recordFailure();
      else if (verdict === "healthy") this.recordSuccess();
      throw err;
    } finally {
      if (isTrial) this.trialInFlight = false;
    }
  }

  /** Forces the breaker closed (tests, admin tooling). */
  reset(): void {
    this.failures = 0;
    this.transition("closed");
  }

  private recordSuccess(): void {
    this.failures = 0;
    if (this.currentState !== "closed") this.transition("closed");
  }

  private recordFailure(): void {
    this.failures += 1;
    if (this.currentState === "half_open" || this.failures >= this.failureThreshold) {
      this.openedAt = this.now();
      this.transition("open");
    }
  }

  private transition(to: BreakerState): void {
    const from = this.currentState;
    if (from === to) return;
    this.currentState = to;
    this.onStateChange?.(from, to);
  }
}
