"use client";

import { useEffect, useId, useRef, useState, useSyncExternalStore, type DragEvent } from "react";
import type { PhotoView } from "~/core/domain/photos/urls";
import { useFieldErrors } from "./form";
import { Photo } from "./product-image";

/** What the picker accepts: the API sniffs the real type from the bytes and says so when it is none of these. */
const ACCEPT = "image/jpeg,image/png,image/webp,image/avif";

interface Item {
  /** React key: the photo's id once uploaded, a local one before. */
  key: string;
  /** Set once the upload is stored (a staged photo); null while uploading. */
  id: string | null;
  alt: string;
  /** A photo already saved with the product (shown from the shop), else the picked file's local preview. */
  photo: PhotoView | null;
  preview: string | null;
}

interface UploadAnswer {
  id?: string;
  problem?: string;
}

const noSubscription = () => () => undefined;

function megabytes(bytes: number): string {
  return `${Math.floor(bytes / 1_000_000)} MB`;
}

/**
 * The product form's photos. Files are picked or dragged in, shown at once from the computer
 * (preview before saving) and uploaded in the background to /api/photos, which checks and stores
 * them; the form's save then lists them (hidden photoId/photoAlt fields, in order). Reordering,
 * alt text and removal change only the form until it is saved.
 *
 * Without JavaScript the saved photos are still plain fields: alt text can be edited and a
 * "Remove" box ticked; adding and reordering need JavaScript (the page says so).
 */
export function PhotoPicker({ initial, maxBytes, maxCount }: { initial: PhotoView[]; maxBytes: number; maxCount: number }) {
  const [items, setItems] = useState<Item[]>(() => initial.map((photo) => ({ key: photo.id, id: photo.id, alt: photo.alt, photo, preview: null })));
  const [problems, setProblems] = useState<string[]>([]);
  // False in the server's HTML (works without JavaScript), true once hydrated.
  const enhanced = useSyncExternalStore(noSubscription, () => true, () => false);
  const [dragging, setDragging] = useState(false);
  const [announcement, setAnnouncement] = useState("");
  const fileInput = useRef<HTMLInputElement>(null);
  const dragged = useRef<string | null>(null);
  const id = useId();
  const errors = useFieldErrors(["photos"]);
  const uploading = items.filter((item) => item.id === null).length;

  // Saving while a photo is still uploading would leave it out: hold the form's submit until then.
  useEffect(() => {
    const form = fileInput.current?.form;
    if (!form || uploading === 0) return;
    const hold = (event: SubmitEvent) => {
      event.preventDefault();
      event.stopImmediatePropagation();
      setAnnouncement(`Wait until ${uploading === 1 ? "the photo has" : `the ${uploading} photos have`} finished uploading, then save.`);
    };
    form.addEventListener("submit", hold, { capture: true });
    return () => form.removeEventListener("submit", hold, { capture: true });
  }, [uploading]);

  const previews = useRef(new Set<string>());
  useEffect(() => {
    const urls = previews.current;
    return () => urls.forEach((url) => URL.revokeObjectURL(url));
  }, []);

  async function upload(key: string, file: File) {
    let answer: UploadAnswer = {};
    let ok = false;
    try {
      const res = await fetch("/api/photos", { method: "POST", body: file, headers: { "content-type": "application/octet-stream" } });
      ok = res.ok;
      answer = (await res.json().catch(() => ({}))) as UploadAnswer;
    } catch {
      answer = { problem: "the upload did not reach the shop; check the connection and try again." };
    }
    if (ok && answer.id) {
      setItems((current) => current.map((item) => (item.key === key ? { ...item, id: answer.id! } : item)));
      setAnnouncement(`${file.name} uploaded.`);
    } else {
      setItems((current) => current.filter((item) => item.key !== key));
      setProblems((current) => [...current, `${file.name}: ${answer.problem ?? "the upload failed; please try again."}`]);
    }
  }

  function add(files: File[]) {
    const found: string[] = [];
    const room = maxCount - items.length;
    if (files.length > room) found.push(`At most ${maxCount} photos per product: ${room === 0 ? "none" : `only the first ${room}`} of these ${room === 1 ? "was" : "were"} added.`);
    const added: Item[] = [];
    for (const file of files.slice(0, Math.max(0, room))) {
      if (file.size > maxBytes) {
        found.push(`${file.name}: the file is larger than ${megabytes(maxBytes)}; photos may be at most ${megabytes(maxBytes)}.`);
        continue;
      }
      const key = `local-${crypto.randomUUID()}`;
      const preview = URL.createObjectURL(file);
      previews.current.add(preview);
      added.push({ key, id: null, alt: "", photo: null, preview });
      void upload(key, file);
    }
    setProblems(found);
    setItems((current) => [...current, ...added]);
  }

  function move(index: number, by: -1 | 1) {
    setItems((current) => {
      const next = [...current];
      const [item] = next.splice(index, 1);
      next.splice(index + by, 0, item!);
      return next;
    });
    setAnnouncement(`Photo moved to position ${index + by + 1} of ${items.length}.`);
  }

  function remove(key: string) {
    setItems((current) => current.filter((item) => item.key !== key));
    setAnnouncement("Photo removed; save to make it final.");
  }

  function onDrop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    if (dragged.current) return;
    add([...event.dataTransfer.files]);
  }

  function dropOnItem(event: DragEvent, targetKey: string) {
    const key = dragged.current;
    if (!key) return;
    event.preventDefault();
    event.stopPropagation();
    dragged.current = null;
    setItems((current) => {
      const from = current.findIndex((item) => item.key === key);
      const to = current.findIndex((item) => item.key === targetKey);
      if (from < 0 || to < 0 || from === to) return current;
      const next = [...current];
      const [item] = next.splice(from, 1);
      next.splice(to, 0, item!);
      return next;
    });
  }

  return (
    <fieldset className="photo-picker" aria-describedby={`${id}-hint`}>
      <legend>Photos</legend>
      <input type="hidden" name="photosInForm" value="1" />
      <p id={`${id}-hint`} className="hint small muted">
        JPEG, PNG, WebP or AVIF, up to {megabytes(maxBytes)} each, at most {maxCount}. The first photo is the main one. Photos are added to the product when you save.
      </p>
      {errors.length > 0 ? <p className="field-error">{errors.join(" ")}</p> : null}
      {problems.length > 0 ? (
        <ul className="notice error photo-problems" role="alert">
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      ) : null}
      {items.length > 0 ? (
        <ol className="photo-list">
          {items.map((item, index) => (
            <li
              key={item.key}
              className={item.id === null ? "photo-item uploading" : "photo-item"}
              draggable={enhanced}
              onDragStart={() => (dragged.current = item.key)}
              onDragEnd={() => (dragged.current = null)}
              onDragOver={(event) => dragged.current && event.preventDefault()}
              onDrop={(event) => dropOnItem(event, item.key)}
            >
              <div className="photo-frame">
                {item.photo ? <Photo photo={item.photo} sizes="240px" alt="" /> : <img src={item.preview ?? ""} alt="" width={240} height={180} />}
                {index === 0 ? <span className="badge main-photo">Main photo</span> : null}
                {item.id === null ? (
                  <span className="photo-status">
                    <span className="spinner" aria-hidden="true" /> Uploading…
                  </span>
                ) : null}
              </div>
              <div className="photo-fields">
                {item.id !== null ? <input type="hidden" name="photoId" value={item.id} /> : null}
                <label className="small" htmlFor={`${id}-alt-${item.key}`}>
                  Alt text <span className="visually-hidden">for photo {index + 1}</span>
                </label>
                <input
                  id={`${id}-alt-${item.key}`}
                  name={item.id !== null ? "photoAlt" : undefined}
                  value={item.alt}
                  maxLength={300}
                  placeholder="What the photo shows, for people who cannot see it"
                  onChange={(event) => {
                    const alt = event.target.value;
                    setItems((current) => current.map((it) => (it.key === item.key ? { ...it, alt } : it)));
                  }}
                />
                {enhanced ? (
                  <div className="photo-actions">
                    <button type="button" className="secondary small" onClick={() => move(index, -1)} disabled={index === 0} aria-label={`Move photo ${index + 1} earlier`}>
                      ← Earlier
                    </button>
                    <button type="button" className="secondary small" onClick={() => move(index, 1)} disabled={index === items.length - 1} aria-label={`Move photo ${index + 1} later`}>
                      Later →
                    </button>
                    <button type="button" className="danger small" onClick={() => remove(item.key)} aria-label={`Remove photo ${index + 1}`}>
                      Remove
                    </button>
                  </div>
                ) : item.id !== null ? (
                  <label className="check small">
                    <input type="checkbox" name="photoRemove" value={item.id} /> Remove when saving
                  </label>
                ) : null}
              </div>
            </li>
          ))}
        </ol>
      ) : null}
      {items.length < maxCount ? (
        <div
          className={dragging ? "dropzone active" : "dropzone"}
          onDragOver={(event) => {
            if (dragged.current) return;
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          <input
            ref={fileInput}
            id={`${id}-files`}
            className="visually-hidden"
            type="file"
            accept={ACCEPT}
            multiple
            disabled={!enhanced}
            onChange={(event) => {
              add([...(event.target.files ?? [])]);
              event.target.value = "";
            }}
          />
          {enhanced ? (
            <>
              <label htmlFor={`${id}-files`} className="button secondary">
                Choose photos
              </label>
              <span className="muted">or drag them here</span>
            </>
          ) : (
            <span className="muted">Adding photos needs JavaScript turned on.</span>
          )}
        </div>
      ) : null}
      <p className="small muted photo-announcement" role="status" aria-live="polite">
        {announcement}
      </p>
    </fieldset>
  );
}
