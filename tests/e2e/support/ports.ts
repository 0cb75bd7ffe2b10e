// Fixed so that the config (loaded in every worker) and the global setup agree without IPC.
export const E2E_WEB_PORT = Number(process.env.E2E_WEB_PORT ?? 3210);
