// Runs in a worker thread (see oversized-post.ts): POSTs large bodies with a raw node:http client
// and reports what the client could read of each answer.
import http from "node:http";
import { parentPort, workerData } from "node:worker_threads";
import type { OversizedPlan, PostOutcome } from "./oversized-post.ts";

function paddedJson(bytes: number): Buffer {
  const head = '{"json":{"pad":"';
  const tail = '"}}';
  return Buffer.concat([Buffer.from(head), Buffer.alloc(Math.max(0, bytes - head.length - tail.length), "x"), Buffer.from(tail)]);
}

/** Resolves once the answer is read in full; an error before that (EPIPE, ECONNRESET) is the outcome. */
function post(plan: OversizedPlan, body: Buffer): Promise<PostOutcome> {
  const { hostname, port } = new URL(plan.url);
  return new Promise((resolve) => {
    let answered = false;
    const req = http.request(
      {
        host: hostname,
        port,
        path: plan.path,
        method: "POST",
        agent: false,
        headers: { "content-type": "application/json", ...(plan.chunked ? {} : { "content-length": String(body.length) }), ...plan.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          answered = true;
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") });
        });
        res.on("error", (error: NodeJS.ErrnoException) => resolve({ error: `answer cut off: ${error.code ?? error.message}` }));
      },
    );
    // Once the whole answer is read, a later write error changes nothing the client sees.
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (!answered) resolve({ error: `${error.code ?? error.message} before an answer was read` });
    });
    if (plan.chunked) {
      // Without Content-Length the server cannot refuse up front: it has to count while reading.
      for (let offset = 0; offset < body.length; offset += 256 * 1024) req.write(body.subarray(offset, offset + 256 * 1024));
      req.end();
    } else {
      req.end(body);
    }
  });
}

const plan = workerData as OversizedPlan;
const body = paddedJson(plan.bytes);
const outcomes: PostOutcome[] = [];
for (let i = 0; i < plan.sequential; i++) outcomes.push(await post(plan, body));
outcomes.push(...(await Promise.all(Array.from({ length: plan.concurrent }, () => post(plan, body)))));
parentPort!.postMessage(outcomes);
