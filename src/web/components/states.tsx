import Link from "next/link";
import type { ReactNode } from "react";

export function EmptyState({ children, action }: { children: ReactNode; action?: { href: string; label: string } }) {
  return (
    <div className="empty">
      <p>{children}</p>
      {action ? (
        <Link className="button secondary" href={action.href}>
          {action.label}
        </Link>
      ) : null}
    </div>
  );
}

export function ErrorNotice({ children }: { children: ReactNode }) {
  return (
    <p className="notice error" role="alert">
      {children}
    </p>
  );
}

/** Generic loading view for a page: a heading placeholder and a few blocks. */
export function PageSkeleton({ title }: { title: string }) {
  return (
    <main id="main" aria-busy="true">
      <h1>{title}</h1>
      <p className="visually-hidden" role="status">
        Loading…
      </p>
      <div className="skeleton line" style={{ width: "40%" }} />
      <div className="skeleton line" style={{ width: "65%" }} />
      <div className="skeleton block" />
    </main>
  );
}

export function SubNav({ items, current }: { items: { href: string; label: string }[]; current: string }) {
  return (
    <nav aria-label="Section">
      <ul className="subnav">
        {items.map((item) => (
          <li key={item.href}>
            <Link href={item.href} aria-current={item.href === current ? "page" : undefined}>
              {item.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
