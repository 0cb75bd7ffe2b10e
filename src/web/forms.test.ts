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

  it("names the field by its label, never by the API's key, when it says a domain error at the top", () => {
    const state = errorToFormState(
      apiError("params.seller: required", { code: "BAD_REQUEST", fieldErrors: { "params.seller": ["required"] }, field: "params.seller", reason: null }),
      {},
      { "params.seller": "param:seller" },
      { "param:seller": "Shop" },
    );
    expect(state).toMatchObject({ message: "Shop: required", fieldErrors: { "param:seller": ["required"] } });
    // Without a label the problem still reads as a sentence.
    const unlabelled = apiError("newPassword: must differ", { code: "BAD_REQUEST", fieldErrors: { newPassword: ["must differ from the current password."] }, field: "newPassword", reason: null });
    expect(errorToFormState(unlabelled).message).toBe("Must differ from the current password.");
    // Input validation points to its fields instead of repeating them at the top.
    const invalid = errorToFormState(apiError("Invalid input: value: must be at least 0", { code: "BAD_REQUEST", fieldErrors: { value: ["must be at least 0"] } }), { value: "-1" }, {}, {
      value: "Low-stock threshold (units)",
    });
    expect(invalid).toMatchObject({ message: "Please correct the highlighted fields.", fieldErrors: { value: ["must be at least 0"] } });
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

  it("says what the person typed wrong with the filters' labels, when every field has one", async () => {
    const refused = () => Promise.reject(apiError("Invalid input: q: must not contain control characters", { code: "BAD_REQUEST", fieldErrors: { q: ["must not contain control characters"] } }));
    expect((await withFilterProblem(refused(), [], { q: "Search" })).problem).toBe("Search: must not contain control characters.");
    expect((await withFilterProblem(refused(), [], { cursor: "Page" })).problem).toBe("Invalid input: q: must not contain control characters");
  });

  it("lets every other failure through to the error page", async () => {
    const down = Promise.reject(apiError("The database is unavailable", { code: "SERVICE_UNAVAILABLE", fieldErrors: null }));
    await expect(withFilterProblem(down, { items: [] })).rejects.toThrow("The database is unavailable");
  });
});
