import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { errorToFormState } from "./forms";

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

  it("reads a field named in a domain error's message", () => {
    const state = errorToFormState(apiError('shopName: "Tea" is taken; choose another name.', { code: "CONFLICT", fieldErrors: null }));
    expect(state.fieldErrors).toEqual({ shopName: ['"Tea" is taken; choose another name.'] });
  });

  it("shows other API errors as a message and hides unexpected ones", () => {
    expect(errorToFormState(apiError("Wrong email or password.", { code: "UNAUTHORIZED", fieldErrors: null })).message).toBe("Wrong email or password.");
    expect(errorToFormState(new Error("socket hang up")).message).toMatch(/went wrong on our side/);
  });
});
