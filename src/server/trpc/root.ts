import { createCallerFactory, router } from "./init";
import { catalogRouter } from "./routers/catalog";
import { deliveryRouter } from "./routers/delivery";
import { deadLettersRouter } from "./routers/dead-letters";
import { healthRouter } from "./routers/health";
import { ordersRouter } from "./routers/orders";

export const appRouter = router({
  health: healthRouter,
  catalog: catalogRouter,
  orders: ordersRouter,
  delivery: deliveryRouter,
  deadLetters: deadLettersRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
