import { DomainError } from "~/core/errors";
import { z } from "zod";
import { newestFirst } from "~/core/pagination";
import type { Db, Prisma } from "~/lib/db";
import { getAllSettings, settingDefaults, settingKeys, settingSchemas, type SettingKey } from "../settings/settings";
import type { Actor } from "../actor";

/**
 * Admin side of the runtime settings: every key with its effective value, default and last
 * change, and updates that leave an audit row (who, when, old and new value) in the same
 * transaction as the change. Reading and validation are the settings module's.
 */

/** `{ key, value }` for every known key, each value checked by that key's own schema. */
export const settingUpdateInput = z.discriminatedUnion(
  "key",
  settingKeys.map((key) => z.strictObject({ key: z.literal(key), value: settingSchemas[key] })) as unknown as [
    z.ZodObject<{ key: z.ZodLiteral<SettingKey>; value: z.ZodType }>,
    ...z.ZodObject<{ key: z.ZodLiteral<SettingKey>; value: z.ZodType }>[],
  ],
);

export interface SettingView {
  key: SettingKey;
  value: unknown;
  defaultValue: unknown;
  /** False while the key still has its default (never set). */
  isSet: boolean;
  updatedAt: Date | null;
  updatedBy: string | null;
}

export async function listSettings(db: Db): Promise<SettingView[]> {
  const [values, rows] = await Promise.all([
    getAllSettings(db),
    db.setting.findMany({ where: { key: { in: settingKeys } }, select: { key: true, updatedAt: true, updatedBy: true } }),
  ]);
  return settingKeys.map((key) => {
    const row = rows.find((r) => r.key === key);
    return {
      key,
      value: values[key],
      defaultValue: settingDefaults[key],
      isSet: row !== undefined,
      updatedAt: row?.updatedAt ?? null,
      updatedBy: row?.updatedBy ?? null,
    };
  });
}

export async function updateSetting(db: Db, actor: Actor, input: { key: SettingKey; value: unknown }, now: Date): Promise<SettingView> {
  const value = settingSchemas[input.key].parse(input.value) as Prisma.InputJsonValue;
  await db.$transaction(async (tx) => {
    // Lock the row (or, for a first write, the key) so concurrent updates audit a true old value.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`setting:${input.key}`}))`;
    const before = await tx.setting.findUnique({ where: { key: input.key }, select: { value: true } });
    if (before && JSON.stringify(before.value) === JSON.stringify(value)) return; // unchanged: nothing to audit
    await tx.setting.upsert({
      where: { key: input.key },
      create: { key: input.key, value, updatedBy: actor.id },
      update: { value, updatedBy: actor.id },
      select: { key: true },
    });
    await tx.settingAudit.create({
      data: { key: input.key, oldValue: before ? (before.value as Prisma.InputJsonValue) : undefined, newValue: value, changedBy: actor.id, changedAt: now },
      select: { id: true },
    });
  });
  const view = (await listSettings(db)).find((s) => s.key === input.key);
  if (!view) throw new DomainError("internal", `setting ${input.key} vanished`);
  return view;
}

const byChangedAt = newestFirst("changedAt");

/** Who changed what, newest first. */
export async function listSettingAudit(db: Db, input: { limit: number; cursor?: string | null | undefined; key?: SettingKey | undefined }) {
  const rows = await db.settingAudit.findMany({
    where: {
      ...(input.key ? { key: input.key } : {}),
      ...byChangedAt.after(input.cursor),
    },
    orderBy: byChangedAt.orderBy(),
    take: input.limit + 1,
    select: {
      id: true,
      key: true,
      oldValue: true,
      newValue: true,
      changedAt: true,
      user: { select: { id: true, email: true, displayName: true } },
    },
  });
  return byChangedAt.page(rows, input.limit);
}
