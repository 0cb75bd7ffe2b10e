import net from "node:net";
import { PGlite } from "@electric-sql/pglite";

/**
 * Serves an on-disk PGlite over the PostgreSQL wire protocol for `npm start` without DATABASE_URL.
 *
 * PGlite is a single session, so connections must take turns. pglite-socket's multiplexer takes
 * turns per protocol message; here a connection's messages run as one batch up to each Sync or
 * Query, and while a transaction is open only its owner runs. That is the guarantee a real server
 * gives each connection: a statement's Parse/Bind/Execute and a transaction's statements never
 * interleave with another connection's. Likewise each connection's `search_path` (from its startup
 * options, as the reference services set it) is restored whenever the session changes hands.
 */

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
/** Messages after which the server answers and the session is between statements. */
const BATCH_END = new Set(["S", "Q", "X", "c", "f", "H"].map((c) => c.charCodeAt(0)));

class SessionGate {
  private busy = false;
  private owner: number | null = null;
  private waiters: Array<{ id: number; resolve: () => void }> = [];

  constructor(private readonly db: PGlite) {}

  async run<T>(id: number, work: () => Promise<T>): Promise<T> {
    await this.acquire(id);
    try {
      return await work();
    } finally {
      this.owner = this.db.isInTransaction() ? id : null;
      this.busy = false;
      this.wake();
    }
  }

  /** A connection that vanished inside its transaction must not leave the session locked. */
  async abandon(id: number): Promise<void> {
    this.waiters = this.waiters.filter((w) => w.id !== id);
    if (this.owner !== id) return;
    await this.run(id, async () => {
      await this.db.exec("ROLLBACK");
    });
  }

  private acquire(id: number): Promise<void> {
    if (!this.busy && (this.owner === null || this.owner === id)) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push({ id, resolve }));
  }

  private wake(): void {
    if (this.busy) return;
    const index = this.waiters.findIndex((w) => this.owner === null || w.id === this.owner);
    if (index === -1) return;
    const [next] = this.waiters.splice(index, 1);
    this.busy = true;
    next!.resolve();
  }
}

const DEFAULT_SEARCH_PATH = '"$user", public';

/** The search_path a connection asked for with `options=-c search_path=...` in its startup message. */
function startupSearchPath(message: Buffer): string {
  // Startup message: int32 length, int32 protocol, then key\0value\0 pairs.
  const fields = message.subarray(8).toString("utf8").split("\0");
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] !== "options") continue;
    const match = /-c\s*search_path=([A-Za-z0-9_$", ]+)/.exec(fields[i + 1]!);
    if (match) return match[1]!.trim();
  }
  return DEFAULT_SEARCH_PATH;
}

/** Splits complete messages off a buffer; `startup` messages have no type byte. */
function takeMessages(buffer: Buffer, startup: boolean): { messages: Buffer[]; rest: Buffer } {
  const messages: Buffer[] = [];
  let offset = 0;
  let first = startup;
  for (;;) {
    if (first) {
      if (buffer.length - offset < 4) break;
      const length = buffer.readInt32BE(offset);
      if (buffer.length - offset < length) break;
      messages.push(buffer.subarray(offset, offset + length));
      offset += length;
      first = false;
      continue;
    }
    if (buffer.length - offset < 5) break;
    const length = 1 + buffer.readInt32BE(offset + 1);
    if (buffer.length - offset < length) break;
    messages.push(buffer.subarray(offset, offset + length));
    offset += length;
  }
  return { messages, rest: buffer.subarray(offset) };
}

export interface PgliteServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startPgliteServer(options: { dataDir: string; port: number; host?: string }): Promise<PgliteServer> {
  const db = await PGlite.create(options.dataDir);
  const gate = new SessionGate(db);
  let nextId = 1;
  const sockets = new Set<net.Socket>();
  const searchPaths = new Map<number, string>();
  let activeSearchPath: string | null = null;

  const server = net.createServer((socket) => {
    const id = nextId++;
    sockets.add(socket);
    socket.setNoDelay(true);
    let buffer: Buffer = Buffer.alloc(0);
    let startup = true;
    let pending: Buffer[] = [];
    let chain = Promise.resolve();

    const execute = (batch: Buffer[], isStartup = false) =>
      gate.run(id, async () => {
        const searchPath = searchPaths.get(id) ?? DEFAULT_SEARCH_PATH;
        // Only reached between transactions (the gate keeps an open one with its owner).
        if (!isStartup && searchPath !== activeSearchPath) {
          await db.exec(`SET search_path TO ${searchPath}`);
          activeSearchPath = searchPath;
        }
        if (isStartup) activeSearchPath = null;
        for (const message of batch) {
          await db.execProtocolRawStream(new Uint8Array(message), {
            onRawData: (chunk) => {
              if (socket.writable) socket.write(Buffer.from(chunk));
            },
          });
        }
      });

    socket.on("data", (data) => {
      buffer = Buffer.concat([buffer, data]);
      while (startup && buffer.length >= 8) {
        const code = buffer.readInt32BE(4);
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST && code !== CANCEL_REQUEST) break;
        // No TLS on loopback; cancellation is not supported by a single session.
        if (code === CANCEL_REQUEST) return socket.end();
        socket.write("N");
        buffer = buffer.subarray(8);
      }
      const { messages, rest } = takeMessages(buffer, startup);
      buffer = rest;
      for (const message of messages) {
        if (startup) {
          startup = false;
          searchPaths.set(id, startupSearchPath(message));
          const batch = [message];
          chain = chain.then(() => execute(batch, true));
          continue;
        }
        pending.push(message);
        if (message[0] === "X".charCodeAt(0)) {
          pending = [];
          socket.end();
          continue;
        }
        if (BATCH_END.has(message[0]!)) {
          const batch = pending;
          pending = [];
          chain = chain.then(() => execute(batch));
        }
      }
      chain = chain.catch((error: unknown) => {
        socket.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      sockets.delete(socket);
      searchPaths.delete(id);
      void chain.finally(() => gate.abandon(id));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `postgresql://postgres:postgres@${options.host ?? "127.0.0.1"}:${port}/postgres?sslmode=disable`,
    port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
    },
  };
}
