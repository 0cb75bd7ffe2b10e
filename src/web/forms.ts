import { TRPCClientError } from "@trpc/client";
import type { FormState } from "./form-state";

export { idleForm, type FormAction, type FormState } from "./form-state";

/** The API's field errors (input validation and domain errors alike name their fields as data). */
function apiFieldErrors(error: TRPCClientError<never>): Record<string, string[]> {
  return (error.data as { fieldErrors?: Record<string, string[]> | null } | undefined)?.fieldErrors ?? {};
}

/** "Low-stock threshold: must be at least 0": a problem with the label the person sees. */
function labelled(label: string | undefined, problem: string): string {
  return label ? `${label}: ${problem}` : problem.charAt(0).toUpperCase() + problem.slice(1);
}

/**
 * Turns an API error into form state. `fieldNames` maps the API's input paths to the form's
 * field names where they differ (e.g. priceMinor -> price); `labels` gives the form's fields'
 * labels (by form field name), so a problem said at the top of the form names the field as the
 * person sees it, never by the API's key.
 */
export function errorToFormState(
  error: unknown,
  values?: Record<string, string>,
  fieldNames: Record<string, string> = {},
  labels: Record<string, string> = {},
): FormState {
  if (error instanceof TRPCClientError) {
    // Input validation and domain errors both name their fields as data (the API's error formatter);
    // a domain error's `field` is the one field its message is about.
    const data = error.data as { field?: string | null } | undefined;
    const fieldErrors: Record<string, string[]> = {};
    for (const [path, problems] of Object.entries(apiFieldErrors(error))) {
      const name = fieldNames[path] ?? path;
      (fieldErrors[name] ??= []).push(...problems);
    }
    const domainField = data?.field;
    const domainProblem = domainField ? apiFieldErrors(error)[domainField]?.[0] : undefined;
    const hasFields = Object.keys(fieldErrors).length > 0;
    return {
      status: "error",
      // A domain error's problem is said at the top too, with its field's label: that field may not
      // be on this form. Input validation's are pointed to at their fields.
      message:
        domainField && domainProblem
          ? labelled(labels[fieldNames[domainField] ?? domainField], domainProblem)
          : hasFields
          ? "Please correct the highlighted fields."
          : error.message,
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
 * What to tell the person when the API refused a page's query as malformed (a filter from the URL
 * with a control character, say): each problem with the filter's label from `labels` (keyed by
 * the API's input field), or the API's message when a problem has no label. Null for other errors.
 */
export function badRequestMessage(error: unknown, labels: Record<string, string> = {}): string | null {
  if (!(error instanceof TRPCClientError) || (error.data as { code?: string } | undefined)?.code !== "BAD_REQUEST") return null;
  const problems = Object.entries(apiFieldErrors(error));
  if (problems.length === 0 || problems.some(([field]) => labels[field] === undefined)) return error.message;
  return problems.map(([field, list]) => `${labelled(labels[field], list.join(", "))}.`).join(" ");
}

/**
 * A page's list query whose filters come from the URL: when the API refuses them (a control
 * character in the search text, say), the page shows `empty` and what to fix, not an error page.
 */
export async function withFilterProblem<T>(query: Promise<T>, empty: T, labels: Record<string, string> = {}): Promise<{ result: T; problem: string | null }> {
  try {
    return { result: await query, problem: null };
  } catch (error) {
    const problem = badRequestMessage(error, labels);
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
