import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "~/server/trpc/root";

export type { AppRouter };
export { TRPCClientError };

export interface LavkaClientOptions {
  /** The API's base URL, e.g. http://localhost:4000 (the client appends /trpc). */
  url: string;
  /** An access token from auth.login; omitted for anonymous calls. */
  token?: string | null;
  /** Extra headers for every call (for example a forwarded request id). */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

/** A typed client for Lavka's API, for the web server, scripts and operators' tooling. */
export function createLavkaClient(options: LavkaClientOptions) {
  const base = options.url.replace(/\/+$/, "");
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${base}/trpc`,
        transformer: superjson,
        fetch: options.fetch,
        headers: () => ({
          ...options.headers,
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        }),
      }),
    ],
  });
}

export type LavkaClient = ReturnType<typeof createLavkaClient>;
