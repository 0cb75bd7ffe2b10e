import "server-only";
import { redirect } from "next/navigation";
import { cache } from "react";
import { api } from "~/web/trpc/server";
import { isUnauthorized } from "./forms";
import { readSessionToken } from "./session";
import type { Outputs } from "./types";

export type Viewer = Outputs["auth"]["me"];
export type Role = Viewer["role"];

/**
 * Who is signed in, once per request; null for visitors and for expired or revoked sessions
 * (the stale cookie is replaced at the next sign-in). Other API failures propagate to the
 * error page rather than silently signing the person out.
 */
export const getViewer = cache(async (): Promise<Viewer | null> => {
  if (!(await readSessionToken())) return null;
  try {
    return await (await api()).auth.me.query();
  } catch (error) {
    if (isUnauthorized(error)) return null;
    throw error;
  }
});

/** Pages that need a signed-in person (optionally with a role) send visitors to sign in first. */
export async function requireViewer(nextPath: string, role?: "seller" | "admin"): Promise<Viewer> {
  const viewer = await getViewer();
  if (!viewer) redirect(`/login?next=${encodeURIComponent(nextPath)}`);
  if (role && viewer.role !== role && viewer.role !== "admin") redirect(role === "seller" ? "/account#sell" : "/account?denied=1");
  return viewer;
}
