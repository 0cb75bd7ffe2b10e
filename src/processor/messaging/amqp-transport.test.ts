// The pipeline over the machine's real RabbitMQ (127.0.0.1:5672), each test with its own
// exchange and queues. Broker outages are made with a TCP proxy the test controls.
import { describe } from "vitest";
import { describePipeline } from "../../../tests/helpers/pipeline-suite";

describe("event pipeline over RabbitMQ", () => describePipeline("amqp"));
