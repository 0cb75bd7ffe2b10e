import "server-only";
import { createLavkaClient } from "~/client";
import { webConfig } from "~/web/config";

/** Server components call the API over HTTP; the web process never touches the database. */
export function api() {
  return createLavkaClient({ url: webConfig().API_URL });
}
