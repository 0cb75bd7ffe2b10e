"use client";

import { usePathname } from "next/navigation";
import { useEffect, useRef, type ReactNode } from "react";

/**
 * The main navigation. On a phone it folds behind "Menu" (a <details>, so it opens without
 * JavaScript too) to keep the header two lines high; on wider screens it is always open
 * (globals.css). Moving to another page folds it again.
 */
export function NavMenu({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLDetailsElement>(null);
  const pathname = usePathname();
  useEffect(() => {
    if (ref.current) ref.current.open = false;
  }, [pathname]);
  return (
    <details className="nav-menu" ref={ref}>
      <summary>Menu</summary>
      {children}
    </details>
  );
}
