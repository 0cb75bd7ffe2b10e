"use server";

import { redirect } from "next/navigation";
import { clearSessionToken, assertSameOrigin } from "../session";

/** Signs out: the cookie goes regardless of whether the API could revoke the session. */
export async function signOut(): Promise<void> {
  await assertSameOrigin();
  // TODO(auth.logout): revoke the session in the API before clearing the cookie.
  await clearSessionToken();
  redirect("/");
}
