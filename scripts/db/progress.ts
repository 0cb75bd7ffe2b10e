// Progress of long work in a terminal (seeding): a bar with the total, the rate and the time left
// when the stream is a terminal; otherwise (logs, CI, a pipe) the same figures as a plain line
// every few seconds and once at the end.
import cliProgress from "cli-progress";

export interface Progress {
  /** `done` of `total` units so far. */
  update(done: number, total: number): void;
  /** Draws the last state and lets go of the line. */
  stop(): void;
}

export interface ProgressOptions {
  /** What is counted, plural: "orders". */
  unit: string;
  /** Written before the figures: "db:seed". */
  label: string;
  /** Plain lines at most this often when the stream is not a terminal (default 5 s). */
  plainIntervalMs?: number;
}

export function createProgress(stream: NodeJS.WritableStream & { isTTY?: boolean }, options: ProgressOptions): Progress {
  const tty = stream.isTTY === true;
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as NodeJS.WritableStream,
      format: tty
        ? `${options.label} [{bar}] {percentage}% | {value}/{total} ${options.unit} | {rate} ${options.unit}/s | {eta_formatted} left`
        : `${options.label}: {value} of {total} ${options.unit} ({percentage}%), {rate} ${options.unit}/s, about {eta_formatted} left`,
      noTTYOutput: !tty,
      notTTYSchedule: options.plainIntervalMs ?? 5_000,
      hideCursor: tty,
      etaBuffer: 50,
      formatValue: (value, _options, type) => (type === "value" || type === "total" ? Number(value).toLocaleString("en-US") : String(value)),
    },
    cliProgress.Presets.shades_classic,
  );
  let started: number | null = null;
  return {
    update(done, total) {
      const now = performance.now();
      if (started === null) {
        started = now;
        bar.start(total, done, { rate: "0" });
        return;
      }
      const seconds = (now - started) / 1000;
      bar.setTotal(total);
      bar.update(done, { rate: seconds > 0 ? Math.round(done / seconds).toLocaleString("en-US") : "0" });
    },
    stop() {
      if (started !== null) bar.stop();
    },
  };
}
