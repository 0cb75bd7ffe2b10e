import type { Logger } from "~/lib/logger";

/** A running loop: `wake()` cuts an idle wait short, `stop()` resolves once the current pass finished. */
export interface Loop {
  stop(): Promise<void>;
  wake(): void;
}

export interface LoopOptions {
  name: string;
  logger: Logger;
  /** Wait after a pass that found nothing to do. */
  idleMs: number;
  /** Longest wait after repeated failures. */
  maxBackoffMs?: number;
}

/**
 * Runs `pass` until stopped: again at once while it reports more work, after `idleMs` when idle,
 * with growing backoff after errors. `wake()` cuts an idle wait short. The worker's timed tasks
 * run on it, and so do the outbox relay and the database transport's consumers.
 */
export function startLoop(pass: () => Promise<boolean>, options: LoopOptions): Loop {
  let stopped = false;
  let wakeUp: (() => void) | null = null;
  // A wake during a pass means "there may be more": the next idle wait is skipped.
  let woken = false;
  let failures = 0;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });
  const running = (async () => {
    while (!stopped) {
      let more = false;
      woken = false;
      try {
        more = await pass();
        failures = 0;
      } catch (err) {
        failures += 1;
        options.logger.warn({ loop: options.name, failures, err }, "loop pass failed");
      }
      if (stopped) break;
      if (failures > 0) await sleep(Math.min(options.maxBackoffMs ?? 30_000, options.idleMs * 2 ** Math.min(failures, 10)));
      else if (!more && !woken) await sleep(options.idleMs);
    }
  })();
  return {
    wake: () => {
      woken = true;
      wakeUp?.();
    },
    async stop() {
      stopped = true;
      wakeUp?.();
      await running;
    },
  };
}
