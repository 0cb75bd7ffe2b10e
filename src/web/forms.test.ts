import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { errorToFormState, withFilterProblem } from "./forms";

function apiError(message: string, data: Record<string, unknown>) {
  return TRPCClientError.from({ error: { message, code: -32600, data } } as never);
}

describe("errorToFormState", () => {
  it("puts the API's field errors on the form's fields, renamed where the form differs", () => {
    const state = errorToFormState(
      apiError("Invalid input: priceMinor: Too small", { code: "BAD_REQUEST", fieldErrors: { priceMinor: ["Too small"], title: ["Required"] } }),
      { title: "" },
      { priceMinor: "price" },
    );
    expect(state).toMatchObject({ status: "error", fieldErrors: { price: ["Too small"], title: ["Required"] }, values: { title: "" } });
  });

  it("reads the field a domain error names in its data, never from its message", () => {
    const state = errorToFormState(apiError('shopName: "Tea" is taken; choose another name.', { code: "CONFLICT", fieldErrors: { shopName: ['"Tea" is taken; choose another name.'] }, field: "shopName", reason: null }));
    expect(state.fieldErrors).toEqual({ shopName: ['"Tea" is taken; choose another name.'] });
    expect(state.message).toBe('"Tea" is taken; choose another name.');
    const unnamed = errorToFormState(apiError("orderId: no such order", { code: "NOT_FOUND", fieldErrors: null, field: null, reason: null }));
    expect(unnamed.fieldErrors).toEqual({});
  });

  it("shows other API errors as a message and hides unexpected ones", () => {
    expect(errorToFormState(apiError("Wrong email or password.", { code: "UNAUTHORIZED", fieldErrors: null })).message).toBe("Wrong email or password.");
    expect(errorToFormState(new Error("socket hang up")).message).toMatch(/went wrong on our side/);
  });
});

describe("withFilterProblem", () => {
  it("turns a query the API refused as malformed into an empty result and the API's words", async () => {
    const refused = Promise.reject(apiError("Invalid input: q: must not contain control characters", { code: "BAD_REQUEST", fieldErrors: { q: ["must not contain control characters"] } }));
    expect(await withFilterProblem(refused, { items: [] })).toEqual({ result: { items: [] }, problem: "Invalid input: q: must not contain control characters" });
    expect(await withFilterProblem(Promise.resolve({ items: [1] }), { items: [] })).toEqual({ result: { items: [1] }, problem: null });
  });

  it("lets every other failure through to the error page", async () => {
    const down = Promise.reject(apiError("The database is unavailable", { code: "SERVICE_UNAVAILABLE", fieldErrors: null }));
    await expect(withFilterProblem(down, { items: [] })).rejects.toThrow("The database is unavailable");
  });
});
