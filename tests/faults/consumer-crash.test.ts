// A message that kills the worker process, not one that makes the consumer throw: every time the
// payment of one order reaches the gateway, the worker (`processor worker`, a real process) is
// killed with SIGKILL, as the kernel's OOM killer or a native crash would, and, as Kubernetes
// does, a new worker is started. After EVENT_DELIVERY_LIMIT such deliveries the next worker
// dead-letters the message without handling it, with its reason (RabbitMQ: the quorum queue's
// delivery count; database transport: the claims whose lease ran out), and an admin's replay
// from the operations page gets the order paid. Over RabbitMQ and over the database.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { connect } from "amqplib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { replayDeadLetter } from "~/core/domain/admin/dead-letters";
import { deadQueueName, HEADER_REASON } from "~/processor/messaging/amqp/topology";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";
import {
  amqpUrl,
  createWorld,
  deleteTopology,
  placeOrders,
  SERVICE_TOKEN,
  startReferenceServices,
  uniqueNames,
  type ReferenceServices,
  type World,
} from "../helpers/pipeline.ts";
import { exitOf, freePort } from "../helpers/processes.ts";
import { waitFor } from "../helpers/wait.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DELIVERY_LIMIT = 2;
const DELAYS = [50, 100, 200];

for (const kind of ["amqp", "db"] as const) {
  describe(`a message that kills the worker (${kind === "amqp" ? "RabbitMQ quorum queues" : "database transport"})`, () => {
    let t: TestDatabase;
    let services: ReferenceServices;
    let world: World;
    let names: ReturnType<typeof uniqueNames>;
    const children = new Set<ChildProcess>();
    /** Workers that stopped without being killed by the test: none should. */
    const unexpectedExits: string[] = [];

    beforeEach(async () => {
      t = await createTestDatabase();
      services = await startReferenceServices(t.url);
      world = await createWorld(t.db, services.clients.inventory);
      names = uniqueNames();
    });

    afterEach(async () => {
      for (const child of children) {
        child.kill("SIGKILL");
        await exitOf(child);
      }
      children.clear();
      unexpectedExits.length = 0;
      if (kind === "amqp") await deleteTopology(names, ["payments", "reservations", "fulfilment", "analytics"], DELAYS).catch(() => undefined);
      await services.close();
      await t.drop();
    });

    /** `processor worker` as the Deployment runs it, against this test's database and reference services. */
    async function startWorkerProcess(): Promise<ChildProcess> {
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        NODE_ENV: "production",
        LOG_LEVEL: "warn",
        DATABASE_URL: t.url,
        PROCESSOR_HTTP_PORT: String(await freePort()),
        PAYMENT_GATEWAY_URL: services.gateway.url,
        PAYMENT_GATEWAY_KEY: SERVICE_TOKEN,
        INVENTORY_SERVICE_URL: services.inventory.url,
        INVENTORY_SERVICE_TOKEN: SERVICE_TOKEN,
        CARRIER_URL: services.carrier.url,
        CARRIER_API_KEY: SERVICE_TOKEN,
        EVENT_DELIVERY_LIMIT: String(DELIVERY_LIMIT),
        EVENT_RETRY_DELAYS_MS: DELAYS.join(","),
        EVENT_LEASE_MS: "1500",
        OUTBOX_POLL_MS: "100",
        EXPIRY_INTERVAL_MS: "3600000",
        TRACKING_POLL_INTERVAL_MS: "3600000",
        ...(kind === "amqp" ? { AMQP_URL: amqpUrl(), ...names } : {}),
      };
      const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/processor/main.ts", "worker"], { cwd: ROOT, env, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4_000)));
      child.once("exit", (code, signal) => {
        children.delete(child);
        if (signal !== "SIGKILL") unexpectedExits.push(`worker exited (${code ?? signal}): ${stderr}`);
      });
      children.add(child);
      return child;
    }

    const orderStatus = async (id: string) => (await t.db.order.findUniqueOrThrow({ where: { id }, select: { status: true } })).status;

    it(`is dead-lettered after ${DELIVERY_LIMIT} deliveries that killed the worker, with its reason, and can be replayed`, async () => {
      const [orderId] = await placeOrders(t.db, world, 1);

      for (let delivery = 1; delivery <= DELIVERY_LIMIT; delivery++) {
        const held = services.gateway.holdNext(1);
        const worker = await startWorkerProcess();
        await waitFor(() => held.waiting === 1, { describe: `delivery ${delivery} of the payment to reach the gateway` });
        worker.kill("SIGKILL");
        expect((await exitOf(worker)).signal).toBe("SIGKILL");
        held.release();
        expect(await orderStatus(orderId!)).toBe("pending_payment");
      }

      // The next worker does not hand the message to the consumer again: no request reaches the gateway.
      const watch = services.gateway.holdNext(1);
      await startWorkerProcess();
      const letter = await waitFor(() => t.db.deadLetter.findFirst({ select: { id: true, consumer: true, eventType: true, reason: true, attempts: true } }), {
        describe: "the dead letter",
      });
      expect(letter).toMatchObject({ consumer: "payments", eventType: "order.placed", attempts: DELIVERY_LIMIT });
      expect(letter.reason).toBe(
        `no outcome after ${DELIVERY_LIMIT} deliveries: the worker stopped (crashed, was killed or lost its connection) while handling it each time`,
      );
      expect(watch.waiting).toBe(0);
      expect(await orderStatus(orderId!)).toBe("pending_payment");
      if (kind === "amqp") expect(await deadQueueReasons()).toEqual([letter.reason]);
      watch.release();

      // Whatever killed the worker is fixed; an admin replays the message from the operations page.
      await replayDeadLetter(t.db, letter.id);
      await waitFor(async () => (await orderStatus(orderId!)) === "fulfilling", { describe: "the replayed order to be paid" });
      expect((await services.ledger()).payments).toEqual({ captured: 1 });
      expect(await t.db.deadLetter.count()).toBe(1);
      expect(unexpectedExits).toEqual([]);
    });

    /** The reasons of the messages in the payments dead-letter queue (they stay there). */
    async function deadQueueReasons(): Promise<unknown[]> {
      const connection = await connect(amqpUrl());
      try {
        const channel = await connection.createChannel();
        const queue = deadQueueName({ exchange: names.AMQP_EXCHANGE, queuePrefix: names.AMQP_QUEUE_PREFIX }, "payments");
        const reasons: unknown[] = [];
        for (let msg = await channel.get(queue); msg; msg = await channel.get(queue)) {
          const reason = msg.properties.headers?.[HEADER_REASON] as unknown;
          reasons.push(Buffer.isBuffer(reason) ? reason.toString("utf8") : reason);
        }
        // Not acked: closing the channel puts them back.
        return reasons;
      } finally {
        await connection.close();
      }
    }
  });
}
