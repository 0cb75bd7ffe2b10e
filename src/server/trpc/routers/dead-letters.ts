import { z } from "zod";
import { listDeadLetters, replayDeadLetter } from "~/server/domain/admin/dead-letters";
import { adminProcedure, router } from "../init";

export const deadLettersListInput = z.strictObject({
  limit: z.number().int().min(1).max(100).default(25),
  cursor: z.string().max(512).nullish(),
  consumer: z.string().min(1).max(100).optional(),
  includeReplayed: z.boolean().default(false),
});

export const deadLettersRouter = router({
  list: adminProcedure.input(deadLettersListInput).query(({ ctx, input }) => listDeadLetters(ctx.db, input)),
  replay: adminProcedure
    .input(z.strictObject({ id: z.string().uuid() }))
    .mutation(({ ctx, input }) => replayDeadLetter(ctx.db, input.id, ctx.now())),
});
