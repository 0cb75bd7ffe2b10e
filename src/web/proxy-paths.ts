/**
 * Procedures the browser may call through /api/trpc. Anything that returns or revokes an
 * access token is refused here: only server code may see a token.
 */
const SERVER_ONLY = new Set(["auth.login", "auth.register", "auth.logout", "auth.changePassword"]);

/** `path` is one procedure or a comma-separated batch ("cart.view,orders.get"). */
export function isProxyablePath(path: string): boolean {
  const procedures = path.split(",");
  return procedures.every((name) => /^[A-Za-z0-9_.]{1,120}$/.test(name) && !SERVER_ONLY.has(name));
}
