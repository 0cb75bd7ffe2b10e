import "server-only";
import { redirect } from "next/navigation";
import { cache } from "react";
import { readSessionToken } from "./session";

export type Role = "buyer" | "seller" | "admin";

export interface Viewer {
  id: string;
  email: string;
  name: string;
  role: Role;
}

/** Who is signed in, from the session cookie, once per request; null for visitors. */
export const getViewer = cache(async (): Promise<Viewer | null> => {
  const token = await readSessionToken();
  if (!token) return null;
  // TODO(auth.me): ask the API who this token belongs to.
  return null;
});

/** Pages that need a signed-in person (optionally with a role) send visitors to sign in first. */
export async function requireViewer(nextPath: string, role?: Role): Promise<Viewer> {
  const viewer = await getViewer();
  if (!viewer) redirect(`/login?next=${encodeURIComponent(nextPath)}`);
  if (role && viewer.role !== role && viewer.role !== "admin") redirect("/account?denied=1");
  return viewer;
}
