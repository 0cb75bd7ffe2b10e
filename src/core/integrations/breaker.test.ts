import { describe, expect, it } from "vitest";
import { CircuitBreaker, CircuitOpenError } from "./breaker";

const fail = () => Promise.reject(new Error("down"));
const ok = () => Promise.resolve("ok");

describe("CircuitBreaker", () => {
  it("opens after the threshold, fails fast, half-opens after the timeout and closes on success", async () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 3, resetTimeoutMs: 1_000, now: () => now });
    for (let i = 0; i < 3; i += 1) await expect(breaker.run(fail)).rejects.toThrow("down");
    expect(breaker.state).toBe("open");
    let called = false;
    await expect(breaker.run(() => ((called = true), ok()))).rejects.toBeInstanceOf(CircuitOpenError);
    expect(called).toBe(false);

    now = 1_000;
    expect(breaker.state).toBe("half_open");
    await expect(breaker.run(ok)).resolves.toBe("ok");
    expect(breaker.state).toBe("closed");
  });

  it("lets a single trial through while half-open", async () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 1, resetTimeoutMs: 10, now: () => now });
    await expect(breaker.run(fail)).rejects.toThrow();
    now = 10;
    let release!: () => void;
    const trial = breaker.run(() => new Promise<string>((r) => (release = () => r("ok"))));
    await expect(breaker.run(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    release();
    await expect(trial).resolves.toBe("ok");
    expect(breaker.state).toBe("closed");
  });

  it("does not count errors judged healthy, and success resets the count", async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2 });
    const notAFailure = () => "healthy" as const;
    for (let i = 0; i < 5; i += 1) await expect(breaker.run(fail, notAFailure)).rejects.toThrow();
    expect(breaker.state).toBe("closed");
    await expect(breaker.run(fail)).rejects.toThrow();
    await breaker.run(ok);
    await expect(breaker.run(fail)).rejects.toThrow();
    expect(breaker.state).toBe("closed");
  });

  it("an error that never reached the service neither counts nor resets the count", async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2 });
    const local = () => "not_reached" as const;
    await expect(breaker.run(fail)).rejects.toThrow();
    for (let i = 0; i < 5; i += 1) await expect(breaker.run(fail, local)).rejects.toThrow();
    expect(breaker.state).toBe("closed");
    await expect(breaker.run(fail)).rejects.toThrow();
    expect(breaker.state).toBe("open");
  });
});
