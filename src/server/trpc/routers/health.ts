import { publicProcedure, router } from "../init";

export const healthRouter = router({
  /** Liveness over tRPC, with the server's clock so clients can spot skew. */
  ping: publicProcedure.query(({ ctx }) => ({ status: "ok" as const, time: ctx.now().toISOString() })),
});
