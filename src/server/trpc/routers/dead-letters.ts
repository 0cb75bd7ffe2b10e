import { z } from "zod";
import { cursorText, singleLineText } from "~/core/text";
import { listDeadLetters, replayDeadLetter } from "~/core/domain/admin/dead-letters";
import { adminProcedure, router } from "../init";

export const deadLettersListInput = z.strictObject({
  limit: z.number().int().min(1).max(100).default(25),
  cursor: cursorText.nullish(),
  consumer: singleLineText({ min: 1, max: 100 }).optional(),
  includeReplayed: z.boolean().default(false),
});

export const deadLettersRouter = router({
  list: adminProcedure.input(deadLettersListInput).query(({ ctx, input }) => listDeadLetters(ctx.db, input)),
  replay: adminProcedure
    .input(z.strictObject({ id: z.string().uuid() }))
    .mutation(({ ctx, input }) => replayDeadLetter(ctx.db, input.id, ctx.now())),
});
