"use client";

import { createContext, use, useActionState, useId, type ReactNode } from "react";
import { useFormStatus } from "react-dom";
import { idleForm, type FormAction, type FormState } from "../form-state";

const FormStateContext = createContext<FormState>(idleForm);

/**
 * A form bound to a server action. Works without JavaScript (plain POST); with it, shows the
 * action's message and field errors in place and keeps the typed values.
 */
export function ActionForm({
  action,
  children,
  className,
  label,
  successMessage,
}: {
  action: FormAction;
  children: ReactNode;
  className?: string;
  /** Accessible name for the form (e.g. "Sign in"). */
  label?: string;
  successMessage?: string;
}) {
  const [state, formAction, pending] = useActionState(action, idleForm);
  return (
    <FormStateContext value={state}>
      <form action={formAction} className={className ?? "form"} aria-label={label} aria-busy={pending} noValidate>
        {state.status === "error" && state.message ? (
          <p className="notice error" role="alert">
            {state.message}
          </p>
        ) : null}
        {state.status === "ok" && (state.message ?? successMessage) ? (
          <p className="notice ok" role="status">
            {state.message ?? successMessage}
          </p>
        ) : null}
        {children}
      </form>
    </FormStateContext>
  );
}

/** The problems the form's last submission reported for these fields (for controls other than Field). */
export function useFieldErrors(names: string[]): string[] {
  const state = use(FormStateContext);
  return names.flatMap((key) => state.fieldErrors?.[key] ?? []);
}

type FieldProps = {
  name: string;
  label: string;
  defaultValue?: string | number;
  hint?: string;
  required?: boolean;
  /** Extra API input paths whose errors belong to this field. */
  errorFor?: string[];
} & (
  | { type?: "text" | "email" | "password" | "number" | "url" | "search" | "date"; autoComplete?: string; min?: number; max?: number; step?: string; maxLength?: number; inputMode?: "numeric" | "decimal" }
  | { type: "textarea"; rows?: number; maxLength?: number }
  | { type: "select"; options: { value: string; label: string }[] }
);

export function Field(props: FieldProps) {
  const state = use(FormStateContext);
  const id = useId();
  const errors = [props.name, ...(props.errorFor ?? [])].flatMap((key) => state.fieldErrors?.[key] ?? []);
  const kept = props.type === "password" ? undefined : state.values?.[props.name];
  const value = kept ?? (props.defaultValue === undefined ? undefined : String(props.defaultValue));
  const described = [errors.length > 0 ? `${id}-error` : null, props.hint ? `${id}-hint` : null].filter(Boolean).join(" ") || undefined;
  const common = {
    id,
    name: props.name,
    defaultValue: value,
    required: props.required,
    "aria-invalid": errors.length > 0 || undefined,
    "aria-describedby": described,
  };
  let control: ReactNode;
  if (props.type === "textarea") control = <textarea {...common} rows={props.rows ?? 4} maxLength={props.maxLength} />;
  else if (props.type === "select")
    control = (
      // Keyed by the kept value: React applies a select's defaultValue only when it mounts, and the
      // form reset that follows an action would otherwise put back the first option.
      <select key={value ?? ""} {...common}>
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    );
  else
    control = (
      <input
        {...common}
        type={props.type ?? "text"}
        autoComplete={props.autoComplete}
        min={props.min}
        max={props.max}
        step={props.step}
        maxLength={props.maxLength}
        inputMode={props.inputMode}
      />
    );
  return (
    <div className={errors.length > 0 ? "field invalid" : "field"}>
      <label htmlFor={id}>
        {props.label}
        {props.required ? <span aria-hidden="true"> *</span> : null}
      </label>
      {control}
      {props.hint ? (
        <small id={`${id}-hint`} className="hint">
          {props.hint}
        </small>
      ) : null}
      {errors.length > 0 ? (
        <small id={`${id}-error`} className="field-error">
          {errors.join(" ")}
        </small>
      ) : null}
    </div>
  );
}

/** Disabled while its form submits, so one click is one request; says that work is under way. */
export function SubmitButton({ children, pendingLabel, className, name, value }: { children: ReactNode; pendingLabel?: string; className?: string; name?: string; value?: string }) {
  const { pending } = useFormStatus();
  return (
    <button type="submit" className={className ?? "button"} disabled={pending} aria-disabled={pending} name={name} value={value}>
      {pending ? (
        <>
          <span className="spinner" aria-hidden="true" /> {pendingLabel ?? "Working…"}
        </>
      ) : (
        children
      )}
    </button>
  );
}
