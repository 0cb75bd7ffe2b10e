"use client";

import Link from "next/link";

/** Shown when a page fails to render (usually: the API is unreachable). */
export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main id="main">
      <h1>Something went wrong</h1>
      <p className="notice error" role="alert">
        This page could not be loaded. The shop may be busy or briefly unavailable.
        {error.digest ? <span className="small muted"> (reference {error.digest})</span> : null}
      </p>
      <p style={{ display: "flex", gap: "0.75rem", flexWrap: "wrap" }}>
        <button type="button" onClick={reset}>
          Try again
        </button>
        <Link className="button secondary" href="/">
          Go to the home page
        </Link>
      </p>
    </main>
  );
}
