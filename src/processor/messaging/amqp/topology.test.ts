// Declaring the quorum topology on the machine's RabbitMQ: a queue's arguments cannot change once
// it exists, so a new EVENT_DELIVERY_LIMIT must not keep a worker from starting.
import { connect } from "amqplib";
import { afterEach, expect, it } from "vitest";
import { amqpUrl, deleteTopology, recordingLogger, uniqueNames } from "../../../../tests/helpers/pipeline";
import type { Consumer } from "../consumer";
import { declareTopology, queueName } from "./topology";

const consumers: Consumer[] = [{ name: "payments", events: ["order.placed"], handle: async () => undefined }];
const DELAYS = [50];
const names = uniqueNames();
const topology = { exchange: names.AMQP_EXCHANGE, queuePrefix: names.AMQP_QUEUE_PREFIX };

afterEach(() => deleteTopology(names, consumers, DELAYS));

it("declares quorum queues; one declared with another delivery limit is used as it is, with a warning", async () => {
  const connection = await connect(amqpUrl());
  try {
    const channel = await connection.createChannel();
    const first = recordingLogger();
    await declareTopology(connection, channel, { names: topology, consumers, retryDelaysMs: DELAYS, deliveryLimit: 5, logger: first.logger });
    expect(first.messages).toEqual([]);

    const second = recordingLogger();
    await declareTopology(connection, channel, { names: topology, consumers, retryDelaysMs: DELAYS, deliveryLimit: 3, logger: second.logger });
    expect(second.messages).toEqual(["queue exists with other arguments and keeps them; the configured delivery limit still applies in the consumer"]);
    // The declaring channel is still usable, and the queue is there for the consumer.
    expect(await channel.checkQueue(queueName(topology, "payments"))).toMatchObject({ messageCount: 0 });
  } finally {
    await connection.close();
  }
});
