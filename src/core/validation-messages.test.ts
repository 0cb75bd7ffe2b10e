import { describe, expect, it } from "vitest";
import { z } from "zod";
import { plainValidationMessage } from "./validation-messages";

function problem(schema: z.ZodType, value: unknown): string | undefined {
  return schema.safeParse(value, { error: plainValidationMessage }).error?.issues[0]?.message;
}

describe("plainValidationMessage", () => {
  it("says what a number must be, without operators or type names", () => {
    expect(problem(z.number().int().min(0), -1)).toBe("must be at least 0");
    expect(problem(z.number().int().max(1440), 5000)).toBe("must be at most 1440");
    expect(problem(z.number().positive(), 0)).toBe("must be more than 0");
    expect(problem(z.number().int(), 1.5)).toBe("must be a whole number");
    expect(problem(z.number(), "seven")).toBe("must be a number");
  });

  it("says what text must be, and that a missing field is required", () => {
    expect(problem(z.string().min(2), "a")).toBe("must be at least 2 characters");
    expect(problem(z.string().min(1), "")).toBe("must not be empty");
    expect(problem(z.string().max(3), "abcd")).toBe("must be at most 3 characters");
    expect(problem(z.object({ name: z.string() }), {})).toBe("required");
    expect(problem(z.email(), "nope")).toBe("must be an email address");
    expect(problem(z.uuid(), "demo shop")).toBe("is not an id Lavka gave out");
    expect(problem(z.enum(["buyer", "seller"]), "king")).toBe("must be one of: buyer, seller");
  });

  it("leaves a message the schema spells out itself", () => {
    expect(problem(z.string().regex(/^[A-Z]{3}$/, "must be a currency code such as EUR"), "euro")).toBe("must be a currency code such as EUR");
  });
});
