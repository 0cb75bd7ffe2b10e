import { z } from "zod";
import { cursorText, searchText, singleLineText } from "~/core/text";
import { JobRunStatus, JobTrigger, Role } from "~/generated/prisma/enums";
import { listJobCatalog, listJobRuns, triggerJob } from "~/core/domain/admin/jobs";
import { checkHealth, effectiveConfig } from "~/core/domain/admin/operations";
import { listSettingAudit, listSettings, settingUpdateInput, updateSetting } from "~/core/domain/admin/settings";
import { listShops } from "~/core/domain/admin/shops";
import { listUsers, setUserRole } from "~/core/domain/admin/users";
import { settingKeys } from "~/core/domain/settings/settings";
import { adminProcedure, router } from "../init";

const paging = { limit: z.number().int().min(1).max(100).default(25), cursor: cursorText.nullish() };

export const adminUsersListInput = z.strictObject({ ...paging, search: searchText.optional(), role: z.enum(Role).optional() });
export const adminUsersSetRoleInput = z.strictObject({ userId: singleLineText({ min: 1, max: 200 }), role: z.enum(Role) });
export const adminShopsListInput = z.strictObject({
  limit: z.number().int().min(1).max(200).default(100),
  search: searchText.optional(),
  ids: z.array(z.uuid()).max(200).optional(),
});
export const adminJobsListInput = z.strictObject({
  ...paging,
  name: singleLineText({ min: 1, max: 100 }).optional(),
  status: z.enum(JobRunStatus).optional(),
  trigger: z.enum(JobTrigger).optional(),
});
export const adminJobsTriggerInput = z.strictObject({
  name: singleLineText({ min: 1, max: 100 }),
  /** As on the command line: `--from 2026-01-01` is { from: "2026-01-01" }. */
  params: z.record(singleLineText({ min: 1, max: 50 }), singleLineText({ max: 200 })).default({}),
});
export const adminSettingsUpdateInput = settingUpdateInput;
export const adminSettingsAuditInput = z.strictObject({ ...paging, key: z.enum(settingKeys).optional() });

export const adminRouter = router({
  users: router({
    list: adminProcedure.input(adminUsersListInput).query(({ ctx, input }) => listUsers(ctx.db, input)),
    setRole: adminProcedure.input(adminUsersSetRoleInput).mutation(({ ctx, input }) => setUserRole(ctx, ctx.user, input)),
  }),
  shops: router({
    list: adminProcedure.input(adminShopsListInput).query(({ ctx, input }) => listShops(ctx.db, input)),
  }),
  jobs: router({
    list: adminProcedure.input(adminJobsListInput).query(({ ctx, input }) => listJobRuns(ctx.db, input, ctx.now())),
    catalog: adminProcedure.query(() => listJobCatalog()),
    trigger: adminProcedure.input(adminJobsTriggerInput).mutation(({ ctx, input }) => triggerJob(ctx.db, ctx.user, input, ctx.now())),
  }),
  settings: router({
    list: adminProcedure.query(({ ctx }) => listSettings(ctx.db)),
    update: adminProcedure.input(adminSettingsUpdateInput).mutation(({ ctx, input }) => updateSetting(ctx.db, ctx.user, input, ctx.now())),
    audit: adminProcedure.input(adminSettingsAuditInput).query(({ ctx, input }) => listSettingAudit(ctx.db, input)),
  }),
  health: adminProcedure.query(({ ctx }) => checkHealth(ctx)),
  config: adminProcedure.query(({ ctx }) => effectiveConfig(ctx.operations)),
});
