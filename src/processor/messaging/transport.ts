/** How events reach consumers: RabbitMQ, or the database when no broker is configured. */
export interface Transport {
  /** Starts relaying the outbox and consuming; resolves once started (a broker that is down is retried in the background). */
  start(): Promise<void>;
  /** Stops taking new messages, finishes the in-flight ones, closes connections. */
  stop(): Promise<void>;
}
