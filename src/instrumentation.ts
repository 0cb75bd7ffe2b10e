/**
 * Next calls register() once when the server starts. In the Node runtime it starts the web's
 * request ids, access lines, /metrics listener and tracing (src/web/observability.ts).
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startWebObservability } = await import("./web/observability");
  startWebObservability();
}
