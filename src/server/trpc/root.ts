import { createCallerFactory, router } from "./init";
import { adminRouter } from "./routers/admin";
import { authRouter } from "./routers/auth";
import { cartRouter } from "./routers/cart";
import { catalogRouter } from "./routers/catalog";
import { checkoutRouter } from "./routers/checkout";
import { sellerRouter } from "./routers/seller";
import { deliveryRouter } from "./routers/delivery";
import { deadLettersRouter } from "./routers/dead-letters";
import { healthRouter } from "./routers/health";
import { ordersRouter } from "./routers/orders";
import { reportsRouter } from "./routers/reports";
import { statsRouter } from "./routers/stats";

export const appRouter = router({
  health: healthRouter,
  auth: authRouter,
  catalog: catalogRouter,
  seller: sellerRouter,
  cart: cartRouter,
  checkout: checkoutRouter,
  orders: ordersRouter,
  delivery: deliveryRouter,
  stats: statsRouter,
  reports: reportsRouter,
  admin: adminRouter,
  deadLetters: deadLettersRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
