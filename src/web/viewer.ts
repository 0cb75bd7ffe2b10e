import "server-only";
import { redirect } from "next/navigation";
import { currentSession, type Viewer } from "~/web/trpc/server";

/**
 * Who is signed in; null for visitors and for ended sessions (the stale cookie is replaced at
 * the next sign-in).
 */
export async function getViewer(): Promise<Viewer | null> {
  return (await currentSession())?.viewer ?? null;
}

/** Pages that need a signed-in person (optionally with a role) send visitors to sign in first. */
export async function requireViewer(nextPath: string, role?: "seller" | "admin"): Promise<Viewer> {
  const viewer = await getViewer();
  if (!viewer) redirect(`/login?next=${encodeURIComponent(nextPath)}`);
  if (role && viewer.role !== role && viewer.role !== "admin") redirect(role === "seller" ? "/account#sell" : "/account?denied=1");
  return viewer;
}

/**
 * The signed-in seller with their shop, for the pages of the seller workspace; null for an account
 * without a shop (an admin): the seller layout shows it what it can do, and Next renders the page
 * anyway, so the page then renders nothing instead of asking the API for a shop it would refuse.
 */
export async function requireShop(nextPath: string): Promise<(Viewer & { seller: NonNullable<Viewer["seller"]> }) | null> {
  const viewer = await requireViewer(nextPath, "seller");
  return viewer.seller ? { ...viewer, seller: viewer.seller } : null;
}
