import Link from "next/link";

export default function NotFound() {
  return (
    <main id="main">
      <h1>Not found</h1>
      <div className="empty">
        <p>We could not find that page. It may have been removed, or the link is wrong.</p>
        <Link className="button secondary" href="/catalog">
          Browse the catalog
        </Link>
      </div>
    </main>
  );
}
