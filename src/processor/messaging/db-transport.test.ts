// The same consumer scenarios with no broker: events fed from the outbox through EventDelivery.
import { describe } from "vitest";
import { describePipeline } from "../../../tests/helpers/pipeline-suite";

describe("event pipeline over the database (no AMQP_URL)", () => describePipeline("db"));
