"use server";

import { revalidatePath } from "next/cache";
import { api } from "~/web/trpc/server";
import { errorToFormState, type FormState } from "~/web/forms";
import { aboutSetting } from "~/web/setting-labels";
import { assertSameOrigin } from "~/web/session";

export async function replayDeadLetterAction(_prev: FormState, formData: FormData): Promise<FormState> {
  try {
    await assertSameOrigin();
    const letter = await (await api()).deadLetters.replay.mutate({ id: String(formData.get("id") ?? "") });
    revalidatePath("/admin/dead-letters");
    return { status: "ok", message: `Handed back to ${letter.consumer}; the worker will retry it.` };
  } catch (error) {
    return errorToFormState(error);
  }
}

export async function triggerJobAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const name = String(formData.get("name") ?? "");
  const params: Record<string, string> = {};
  const values: Record<string, string> = {};
  for (const [key, value] of formData.entries()) {
    if (!key.startsWith("param:") || typeof value !== "string") continue;
    values[key] = value;
    if (value.trim()) params[key.slice("param:".length)] = value.trim();
  }
  try {
    await assertSameOrigin();
    const { alreadyQueued } = await (await api()).admin.jobs.trigger.mutate({ name, params });
    revalidatePath("/admin/jobs");
    revalidatePath("/admin");
    return { status: "ok", message: alreadyQueued ? "Already queued; the worker will run it shortly." : "Queued; the worker picks it up within seconds." };
  } catch (error) {
    const fieldNames = Object.fromEntries(Object.keys(values).map((k) => [`params.${k.slice("param:".length)}`, k]));
    const job = (await (await api()).admin.jobs.catalog.query().catch(() => [])).find((j) => j.name === name);
    const labels = Object.fromEntries((job?.params ?? []).map((p) => [`param:${p.name}`, p.label]));
    return errorToFormState(error, values, fieldNames, labels);
  }
}

export async function updateSettingAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const key = String(formData.get("key") ?? "");
  const raw = String(formData.get("value") ?? "").trim();
  const kind = String(formData.get("kind") ?? "string");
  const { label } = aboutSetting(key);
  // Each setting keeps its type: numbers travel as numbers, so the API's schema can check them.
  const value: unknown = kind === "number" ? (raw === "" || !Number.isFinite(Number(raw)) ? raw : Number(raw)) : raw;
  try {
    await assertSameOrigin();
    await (await api()).admin.settings.update.mutate({ key, value } as Parameters<Awaited<ReturnType<typeof api>>["admin"]["settings"]["update"]["mutate"]>[0]);
    revalidatePath("/admin/settings");
    return { status: "ok", message: `${label} saved; it applies from the next request.` };
  } catch (error) {
    return errorToFormState(error, { value: raw }, {}, { value: label });
  }
}

export async function setRoleAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const userId = String(formData.get("userId") ?? "");
  const role = String(formData.get("role") ?? "");
  try {
    await assertSameOrigin();
    if (role !== "buyer" && role !== "seller" && role !== "admin") return { status: "error", message: "Choose buyer, seller or admin." };
    const user = await (await api()).admin.users.setRole.mutate({ userId, role });
    revalidatePath("/admin/users");
    return { status: "ok", message: `${user.email} is now ${user.role}; their open sessions end so the change applies.` };
  } catch (error) {
    return errorToFormState(error);
  }
}
