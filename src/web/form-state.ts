/**
 * What a server action tells its form: a message for the person and problems per field.
 * Kept apart from forms.ts so client components do not pull the tRPC client into the bundle.
 */
export interface FormState {
  status: "idle" | "ok" | "error";
  message?: string;
  fieldErrors?: Record<string, string[]>;
  /** Submitted values to put back into the fields after an error (never passwords). */
  values?: Record<string, string>;
}

export const idleForm: FormState = { status: "idle" };

export type FormAction = (previous: FormState, formData: FormData) => Promise<FormState>;
