import { connect, type Channel, type ChannelModel, type ConfirmChannel } from "amqplib";
import type { Logger } from "~/lib/logger";

/** What one broker connection carries; rebuilt whole on every reconnect. */
export interface Session {
  connection: ChannelModel;
  /** Publishing (outbox relay, retries, dead letters) with publisher confirms. */
  publish: ConfirmChannel;
  /** One channel per consumer, each with its own prefetch. */
  consumers: ConsumerChannel[];
}

export interface ConsumerChannel {
  channel: Channel;
  tag: string;
}

/**
 * Drops a session's connection so the reconnect path rebuilds everything, unless the transport
 * is stopping or the session has already been replaced.
 */
export type RestartSession = (message: string, fields?: Record<string, unknown>) => void;

export interface BrokerConnectionOptions {
  url: string;
  logger: Logger;
  /** Declares the topology and starts consuming on a fresh session; returns the consumer channels. */
  setup(session: Session, restart: RestartSession): Promise<ConsumerChannel[]>;
  /** After a reconnect: the outbox may have grown meanwhile. */
  onReconnected(): void;
}

export interface BrokerConnection {
  /** Connects; a broker that is down is retried in the background. */
  start(): Promise<void>;
  /** The live session, or null while disconnected. */
  current(): Session | null;
  /** No more reconnects; resolves with the live session once a reconnect under way has finished. */
  halt(): Promise<Session | null>;
  /** Closes the session `halt()` returned. */
  close(session: Session | null): Promise<void>;
}

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 15_000;

/**
 * ONE connection per process with a confirm channel for publishing. On connection loss (or a
 * channel the broker closed) it reconnects with backoff, 250 ms doubling to 15 s, and runs
 * `setup` again, so the topology is re-declared and consuming resumes. Unacked messages of a
 * lost channel are redelivered by the broker.
 */
export function createBrokerConnection(options: BrokerConnectionOptions): BrokerConnection {
  const log = options.logger;
  let session: Session | null = null;
  let stopping = false;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let connecting: Promise<void> | null = null;

  async function openSession(): Promise<Session> {
    const connection = await connect(options.url, { timeout: 5_000 });
    try {
      connection.on("error", (err: Error) => log.warn({ reason: err.message }, "broker connection error"));
      const publish = await connection.createConfirmChannel();
      publish.on("error", (err: Error) => log.warn({ reason: err.message }, "publish channel error"));
      const next: Session = { connection, publish, consumers: [] };
      const restart: RestartSession = (message, fields = {}) => {
        if (!stopping && session === next) {
          log.warn(fields, message);
          connection.close().catch(() => undefined);
        }
      };
      next.consumers = await options.setup(next, restart);
      // A channel closed by the broker (a channel error, a deleted queue) leaves the connection up
      // but the session useless: drop the connection so the reconnect path rebuilds everything.
      const restartOnChannelClose = () => restart("a broker channel closed; reconnecting");
      publish.on("close", restartOnChannelClose);
      for (const { channel } of next.consumers) channel.on("close", restartOnChannelClose);
      connection.once("close", () => {
        if (session === next) session = null;
        if (!stopping) {
          log.warn("broker connection lost; reconnecting");
          scheduleReconnect(RECONNECT_MIN_MS);
        }
      });
      return next;
    } catch (err) {
      await connection.close().catch(() => undefined);
      throw err;
    }
  }

  function scheduleReconnect(delayMs: number): void {
    if (stopping || reconnectTimer || connecting) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      connecting = (async () => {
        try {
          session = await openSession();
          log.info("connected to broker; topology declared, consuming");
          options.onReconnected();
        } catch (err) {
          const next = Math.min(RECONNECT_MAX_MS, Math.max(RECONNECT_MIN_MS, delayMs * 2));
          log.warn({ reason: err instanceof Error ? err.message : String(err), retryInMs: next }, "cannot reach broker");
          connecting = null;
          scheduleReconnect(next);
          return;
        }
        connecting = null;
      })();
    }, delayMs);
  }

  return {
    async start() {
      try {
        session = await openSession();
        log.info("connected to broker; topology declared, consuming");
      } catch (err) {
        log.warn({ reason: err instanceof Error ? err.message : String(err) }, "cannot reach broker at start; retrying in the background");
        scheduleReconnect(RECONNECT_MIN_MS);
      }
    },
    current: () => session,
    async halt() {
      stopping = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      await connecting?.catch(() => undefined);
      return session;
    },
    async close(current) {
      if (current) await current.connection.close().catch(() => undefined);
      session = null;
    },
  };
}
