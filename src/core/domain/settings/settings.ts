import { z } from "zod";
import type { Db } from "~/lib/db";

/**
 * Runtime settings (Setting table), with their types and defaults in one place. A key that is
 * missing, or holds a value that no longer fits its schema, reads as the default, so a bad row
 * can never take checkout down. Writers (the admin settings procedures) validate with the same
 * schemas: `settingSchemas[key].parse(value)`.
 */
export const settingSchemas = {
  /** Minutes a checkout's stock reservation is held before the inventory service releases it. */
  reservationTtlMinutes: z.number().int().min(1).max(24 * 60),
  /** Available units at or below which a product counts as low on stock. */
  lowStockThreshold: z.number().int().min(0).max(1_000_000),
  /** Currency new products get when the seller does not name one. */
  defaultCurrency: z.string().regex(/^[A-Z]{3}$/, "must be a three-letter currency code in capitals, such as EUR"),
} as const;

export type SettingKey = keyof typeof settingSchemas;
export type SettingValue<K extends SettingKey> = z.infer<(typeof settingSchemas)[K]>;

export const settingDefaults: { [K in SettingKey]: SettingValue<K> } = {
  reservationTtlMinutes: 15,
  lowStockThreshold: 5,
  defaultCurrency: "EUR",
};

export const settingKeys = Object.keys(settingSchemas) as SettingKey[];

export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(settingSchemas, key);
}

/** The current value of one setting, or its default. */
export async function getSetting<K extends SettingKey>(db: Db, key: K): Promise<SettingValue<K>> {
  const row = await db.setting.findUnique({ where: { key }, select: { value: true } });
  if (!row) return settingDefaults[key];
  const parsed = settingSchemas[key].safeParse(row.value);
  return parsed.success ? (parsed.data as SettingValue<K>) : settingDefaults[key];
}

/** Every setting's current value (defaults filled in), e.g. for the admin page. */
export async function getAllSettings(db: Db): Promise<{ [K in SettingKey]: SettingValue<K> }> {
  const rows = await db.setting.findMany({ where: { key: { in: settingKeys } }, select: { key: true, value: true } });
  const out: Record<string, unknown> = { ...settingDefaults };
  for (const row of rows) {
    if (!isSettingKey(row.key)) continue;
    const parsed = settingSchemas[row.key].safeParse(row.value);
    if (parsed.success) out[row.key] = parsed.data;
  }
  return out as { [K in SettingKey]: SettingValue<K> };
}
