import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "~/client";

/** What each procedure returns, as the web sees it (types only: no server code is imported). */
export type Outputs = inferRouterOutputs<AppRouter>;
export type Inputs = inferRouterInputs<AppRouter>;

export type ProductSummary = Outputs["catalog"]["list"]["items"][number];
