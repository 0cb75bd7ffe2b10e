import type http from "node:http";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { TRPCError } from "@trpc/server";
import type { Logger } from "~/lib/logger";
import { sendJson } from "~/lib/probes";
import { isDomainError } from "~/core/errors";
import type { ObjectStorage } from "~/core/storage";
import { uploadPhoto, type PhotoDeps } from "~/core/domain/photos/upload";
import { PHOTO_CONTENT_TYPES, PHOTO_PATH, type PhotoFormat } from "~/core/domain/photos/urls";
import type { AuthUser } from "~/core/domain/actor";
import { BodyIncompleteError, BodyTooLargeError, readBody, refuseTooLarge } from "./body";
import { toTRPCError } from "../trpc/middleware/errors";

/**
 * Photos over plain HTTP, beside /trpc (tRPC carries JSON; a photo is megabytes of bytes):
 * - POST /photos: the body is one image file, any Content-Type (the type is read from the bytes).
 *   Bearer token of a seller; answers 201 with the staged photo, which a product save then lists.
 * - GET (HEAD) /photos/<digest>/<width>.<avif|webp>: a stored copy, cacheable for good (the path
 *   names its content). The keys are unguessable digests; photos of drafts are not secret beyond that.
 */
export const PHOTOS_PATH = "/photos";

/** A year, and never revalidated: a path's content never changes (photos/urls.ts). */
export const IMMUTABLE = "public, max-age=31536000, immutable";

export interface PhotoRoutesOptions {
  deps: PhotoDeps;
  authenticate: (req: http.IncomingMessage) => Promise<AuthUser | null>;
  logger: Logger;
}

/** An error as the JSON body and status the upload answers with: the problem in words, its field and reason as data. */
function sendError(res: http.ServerResponse, error: unknown, logger: Logger): void {
  const converted = toTRPCError(error);
  const status = converted instanceof TRPCError ? getHTTPStatusCodeFromError(converted) : 500;
  if (status >= 500) logger.error({ err: error }, "photo upload failed");
  if (isDomainError(error)) {
    sendJson(res, status, { error: error.message, problem: error.problem, field: error.field ?? null, reason: error.reason ?? null });
  } else if (converted instanceof TRPCError && status < 500) {
    sendJson(res, status, { error: converted.message, problem: converted.message, field: null, reason: null });
  } else {
    sendJson(res, status, { error: status === 503 ? "photo storage or the database is unavailable; try again" : "internal error", field: null, reason: null });
  }
}

export async function handleUpload(req: http.IncomingMessage, res: http.ServerResponse, options: PhotoRoutesOptions): Promise<void> {
  const { deps } = options;
  // The whole body is read before anything is answered (a 401 included), as for /trpc: an answer
  // while the client is still sending can be lost to a connection reset.
  let body: Buffer;
  try {
    body = await readBody(req, deps.photoLimits.maxBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      const limit = `${Math.floor(deps.photoLimits.maxBytes / 1_000_000)} MB`;
      const problem = `the file is larger than ${limit}; photos may be at most ${limit}.`;
      return refuseTooLarge(req, res, error, { error: `photo: ${problem}`, problem, field: "photo", reason: "too_large" });
    }
    if (error instanceof BodyIncompleteError) return;
    throw error;
  }
  try {
    const user = await options.authenticate(req);
    if (!user) return sendJson(res, 401, { error: "sign in as a seller to upload photos", problem: "sign in as a seller to upload photos", field: null, reason: null });
    sendJson(res, 201, await uploadPhoto(deps, user, body));
  } catch (error) {
    sendError(res, error, options.logger);
  }
}

export async function handleServe(req: http.IncomingMessage, res: http.ServerResponse, storage: ObjectStorage): Promise<void> {
  const path = (req.url ?? "/").split("?")[0]!;
  const match = PHOTO_PATH.exec(path);
  if (!match) return sendJson(res, 404, { error: "no such photo" });
  const object = await storage.get(path.slice(1));
  if (!object) {
    res.setHeader("cache-control", "no-store");
    return sendJson(res, 404, { error: "no such photo" });
  }
  res.writeHead(200, {
    "content-type": PHOTO_CONTENT_TYPES[match[3] as PhotoFormat],
    "content-length": object.body.length,
    "cache-control": IMMUTABLE,
    etag: `"${match[1]}-${match[2]}"`,
    "x-content-type-options": "nosniff",
  });
  res.end(req.method === "HEAD" ? undefined : object.body);
}

/** Routes a request under /photos; false when it is not one of these. */
export async function handlePhotos(req: http.IncomingMessage, res: http.ServerResponse, options: PhotoRoutesOptions): Promise<boolean> {
  const path = (req.url ?? "/").split("?")[0]!;
  if (path === PHOTOS_PATH && req.method === "POST") {
    await handleUpload(req, res, options);
    return true;
  }
  if (path.startsWith(`${PHOTOS_PATH}/`) && (req.method === "GET" || req.method === "HEAD")) {
    await handleServe(req, res, options.deps.storage);
    return true;
  }
  if (path === PHOTOS_PATH || path.startsWith(`${PHOTOS_PATH}/`)) {
    req.resume();
    res.setHeader("allow", path === PHOTOS_PATH ? "POST" : "GET, HEAD");
    sendJson(res, 405, { error: "method not allowed" });
    return true;
  }
  return false;
}
