import { createCallerFactory, router } from "./init";
import { authRouter } from "./routers/auth";
import { cartRouter } from "./routers/cart";
import { catalogRouter } from "./routers/catalog";
import { checkoutRouter } from "./routers/checkout";
import { sellerRouter } from "./routers/seller";
import { deliveryRouter } from "./routers/delivery";
import { deadLettersRouter } from "./routers/dead-letters";
import { healthRouter } from "./routers/health";
import { ordersRouter } from "./routers/orders";

export const appRouter = router({
  health: healthRouter,
  auth: authRouter,
  catalog: catalogRouter,
  seller: sellerRouter,
  cart: cartRouter,
  checkout: checkoutRouter,
  orders: ordersRouter,
  delivery: deliveryRouter,
  deadLetters: deadLettersRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
