// Oversized uploads from a client on its own thread. A client on the server's event loop never
// races it; the reset that destroys an early answer (server closes while the client is still
// sending: EPIPE / ECONNRESET, no response) shows up only when the two run independently, as
// they do for real clients.
import { Worker } from "node:worker_threads";

export interface OversizedPlan {
  /** Base URL of the server, e.g. http://127.0.0.1:4000 */
  url: string;
  path: string;
  /** Size of the JSON body sent. */
  bytes: number;
  /** Send without Content-Length (Transfer-Encoding: chunked). */
  chunked?: boolean;
  headers?: Record<string, string>;
  /** Requests sent one after another, then `concurrent` at once. */
  sequential: number;
  concurrent: number;
}

export type PostOutcome = { status: number; text: string } | { error: string };

// Node 20 does not apply `--import tsx` to worker threads: the thread registers tsx itself
// (resolved from the working directory, the repository root in every test run).
const workerFile = new URL("./oversized-post.worker.ts", import.meta.url).href;
const bootstrap = `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(workerFile)}); })`;

export function postOversized(plan: OversizedPlan): Promise<PostOutcome[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(bootstrap, { eval: true, workerData: plan });
    worker.once("message", (outcomes: PostOutcome[]) => resolve(outcomes));
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`client thread exited (code ${code}) without a result`)));
  });
}
