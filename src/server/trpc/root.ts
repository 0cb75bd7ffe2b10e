import { createCallerFactory, router } from "./init";
import { catalogRouter } from "./routers/catalog";
import { healthRouter } from "./routers/health";

export const appRouter = router({
  health: healthRouter,
  catalog: catalogRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
