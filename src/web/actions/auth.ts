"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { localeFromAcceptLanguage } from "~/core/locale";
import { anonymousApi, api } from "~/web/trpc/server";
import { errorToFormState, textFields, type FormState } from "../forms";
import { safeNextPath } from "../origin";
import { assertSameOrigin, clearSessionToken, setSessionToken } from "../session";

export async function signIn(_prev: FormState, formData: FormData): Promise<FormState> {
  const values = textFields(formData, ["email"] as const);
  const password = String(formData.get("password") ?? "");
  let session;
  try {
    await assertSameOrigin();
    session = await (await anonymousApi()).auth.login.mutate({ email: values.email, password });
  } catch (error) {
    return errorToFormState(error, values);
  }
  await setSessionToken(session.token, session.expiresAt);
  redirect(safeNextPath(formData.get("next"), "/"));
}

export async function register(_prev: FormState, formData: FormData): Promise<FormState> {
  const values = textFields(formData, ["email", "displayName"] as const);
  const password = String(formData.get("password") ?? "");
  if (password !== String(formData.get("confirmPassword") ?? "")) {
    return { status: "error", message: "The passwords do not match.", fieldErrors: { confirmPassword: ["Does not match the password."] }, values };
  }
  let session;
  try {
    await assertSameOrigin();
    // Mail writes money and dates the way the browser's language does, until the person changes it.
    const locale = localeFromAcceptLanguage((await headers()).get("accept-language")) ?? undefined;
    session = await (await anonymousApi()).auth.register.mutate({ ...values, password, locale });
  } catch (error) {
    return errorToFormState(error, values);
  }
  await setSessionToken(session.token, session.expiresAt);
  redirect(safeNextPath(formData.get("next"), "/catalog"));
}

/** Signs out: the cookie goes even when the API cannot revoke the session right now. */
export async function signOut(): Promise<void> {
  await assertSameOrigin();
  try {
    await (await api()).auth.logout.mutate();
  } catch {
    // Expired or already revoked sessions, or an API outage: the cookie is cleared regardless.
  }
  await clearSessionToken();
  redirect("/");
}

export async function changePassword(_prev: FormState, formData: FormData): Promise<FormState> {
  const currentPassword = String(formData.get("currentPassword") ?? "");
  const newPassword = String(formData.get("newPassword") ?? "");
  if (newPassword !== String(formData.get("confirmPassword") ?? "")) {
    return { status: "error", message: "The new passwords do not match.", fieldErrors: { confirmPassword: ["Does not match the new password."] } };
  }
  try {
    await assertSameOrigin();
    await (await api()).auth.changePassword.mutate({ currentPassword, newPassword });
    return { status: "ok", message: "Your password was changed." };
  } catch (error) {
    return errorToFormState(error);
  }
}

export async function changeMailLocale(_prev: FormState, formData: FormData): Promise<FormState> {
  const values = textFields(formData, ["locale"] as const);
  try {
    await assertSameOrigin();
    await (await api()).auth.setLocale.mutate(values);
    revalidatePath("/account"); // the sample under the choice follows it
    return { status: "ok", message: "Saved. Your next emails use this format.", values };
  } catch (error) {
    return errorToFormState(error, values);
  }
}

export async function becomeSeller(_prev: FormState, formData: FormData): Promise<FormState> {
  const values = textFields(formData, ["shopName"] as const);
  let result;
  try {
    await assertSameOrigin();
    result = await (await api()).auth.becomeSeller.mutate(values);
  } catch (error) {
    return errorToFormState(error, values);
  }
  if (result.signInAgain) {
    // The role change ended the session (the auth service issues no refreshed token).
    await clearSessionToken();
    redirect("/login?next=/seller&reason=seller");
  }
  redirect("/seller");
}
