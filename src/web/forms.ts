import { TRPCClientError } from "@trpc/client";
import type { FormState } from "./form-state";

export { idleForm, type FormAction, type FormState } from "./form-state";

/**
 * Turns an API error into form state. `fieldNames` maps the API's input paths to the form's
 * field names where they differ (e.g. priceMinor -> price).
 */
export function errorToFormState(error: unknown, values?: Record<string, string>, fieldNames: Record<string, string> = {}): FormState {
  if (error instanceof TRPCClientError) {
    // Input validation and domain errors both name their fields as data (the API's error formatter).
    const data = error.data as { fieldErrors?: Record<string, string[]> | null } | undefined;
    const fieldErrors: Record<string, string[]> = {};
    for (const [path, problems] of Object.entries(data?.fieldErrors ?? {})) {
      const name = fieldNames[path] ?? path;
      (fieldErrors[name] ??= []).push(...problems);
    }
    const problems = Object.values(fieldErrors).flat();
    return {
      status: "error",
      // One problem is said at the top as well; several are pointed to.
      message: problems.length === 0 ? error.message : problems.length === 1 ? problems[0]! : "Please correct the highlighted fields.",
      fieldErrors,
      values,
    };
  }
  if (error instanceof Error && error.message.startsWith("This request did not come from")) {
    return { status: "error", message: error.message, values };
  }
  return { status: "error", message: "Something went wrong on our side. Please try again.", values };
}

/** Reads text fields from a form, trimmed; files and missing fields become "". */
export function textFields<const K extends string>(formData: FormData, names: readonly K[]): Record<K, string> {
  const out = {} as Record<K, string>;
  for (const name of names) {
    const value = formData.get(name);
    out[name] = typeof value === "string" ? value.trim() : "";
  }
  return out;
}

/**
 * The API's message when it refused a page's query as malformed (a filter from the URL with a
 * control character, say): the page shows it next to its filters instead of failing.
 */
export function badRequestMessage(error: unknown): string | null {
  return error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === "BAD_REQUEST" ? error.message : null;
}

/**
 * A page's list query whose filters come from the URL: when the API refuses them (a control
 * character in the search text, say), the page shows `empty` and the API's words, not an error page.
 */
export async function withFilterProblem<T>(query: Promise<T>, empty: T): Promise<{ result: T; problem: string | null }> {
  try {
    return { result: await query, problem: null };
  } catch (error) {
    const problem = badRequestMessage(error);
    if (problem === null) throw error;
    return { result: empty, problem };
  }
}

/** Whether an error is the API saying "sign in first" (expired or missing session). */
export function isUnauthorized(error: unknown): boolean {
  return error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === "UNAUTHORIZED";
}

export function isNotFound(error: unknown): boolean {
  return error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === "NOT_FOUND";
}
