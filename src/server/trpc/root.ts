import { createCallerFactory, router } from "./init";
import { catalogRouter } from "./routers/catalog";
import { deadLettersRouter } from "./routers/dead-letters";
import { healthRouter } from "./routers/health";

export const appRouter = router({
  health: healthRouter,
  catalog: catalogRouter,
  deadLetters: deadLettersRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
