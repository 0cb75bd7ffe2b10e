import { GridSkeleton } from "~/web/components/product-card";

export default function Loading() {
  return (
    <main id="main" aria-busy="true">
      <h1>Catalog</h1>
      <p className="visually-hidden" role="status">
        Loading products…
      </p>
      <GridSkeleton />
    </main>
  );
}
