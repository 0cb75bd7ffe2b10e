import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createProgress } from "./progress.ts";

function capture(isTTY: boolean) {
  let text = "";
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString("utf8");
        done();
      },
    }),
    { isTTY, columns: 120 },
  );
  return { stream, text: () => text };
}

describe("seeding progress", () => {
  it("in a log (not a terminal): plain lines with the total, the rate and the time left, and a last one at the end", () => {
    const out = capture(false);
    const progress = createProgress(out.stream, { label: "db:seed", unit: "orders", plainIntervalMs: 60_000 });
    progress.update(0, 3_000);
    progress.update(1_500, 3_000);
    progress.update(3_000, 3_000);
    progress.stop();
    const lines = out.text().split("\n").filter(Boolean);
    expect(lines[0]).toMatch(/^db:seed: 0 of 3,000 orders \(0%\), 0 orders\/s, about .+ left$/);
    expect(lines.at(-1)).toMatch(/^db:seed: 3,000 of 3,000 orders \(100%\), [\d,]+ orders\/s, about .+ left$/);
    // No terminal control sequences in a log.
    expect(out.text()).not.toContain("\u001b[");
  });

  it("in a terminal: a bar redrawn in place with the same figures", () => {
    const out = capture(true);
    const progress = createProgress(out.stream, { label: "db:seed", unit: "orders" });
    progress.update(0, 3_000);
    progress.update(1_500, 3_000);
    progress.update(3_000, 3_000);
    progress.stop();
    expect(out.text()).toMatch(/db:seed \[█+░*\] \d+% \| [\d,]+\/3,000 orders \| [\d,]+ orders\/s \| .+ left/);
    expect(out.text()).toContain("\u001b[");
  });
});
