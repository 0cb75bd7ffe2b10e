import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { api } from "~/web/trpc/server";
import { categoryTree } from "~/web/catalog-query";
import { AvailabilityBadge } from "~/web/components/availability";
import { ActionForm, Field, SubmitButton } from "~/web/components/form";
import { ProductFields } from "~/web/components/product-fields";
import { isNotFound } from "~/web/forms";
import { formatMinor } from "~/core/money";
import { SellerNav } from "~/web/seller-nav";
import { requireViewer } from "~/web/viewer";
import { webConfig } from "~/web/config";
import { productStatusAction, setStockAction, updateProductAction } from "../../actions";

export const metadata: Metadata = { title: "Edit product" };
export const dynamic = "force-dynamic";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Props = { params: Promise<{ id: string }>; searchParams: Promise<{ created?: string }> };

export default async function EditProductPage({ params, searchParams }: Props) {
  const { id } = await params;
  const { created } = await searchParams;
  await requireViewer(`/seller/products/${id}`, "seller");
  if (!UUID.test(id)) notFound();
  const client = await api();
  let product;
  try {
    product = await client.seller.products.get.query({ id });
  } catch (error) {
    if (isNotFound(error)) notFound();
    throw error;
  }
  const categories = await client.catalog.categories.query().then(categoryTree, () => []);
  return (
    <main id="main">
      <SellerNav current="/seller/products" />
      <div className="page-head">
        <h1>{product.title}</h1>
        <span className={`badge ${product.status}`} data-testid="product-status">
          {product.status}
        </span>
      </div>
      {created ? (
        <p className="notice ok" role="status">
          Product created.
        </p>
      ) : null}
      {product.status === "draft" ? <p className="notice warn">This is a draft: buyers cannot see it until you publish it.</p> : null}
      <div className="two-col">
        <ActionForm action={updateProductAction} label="Edit product" className="form wide panel" successMessage="Saved.">
          <input type="hidden" name="id" value={product.id} />
          <ProductFields
            categories={categories}
            isNew={false}
            photos={product.photos}
            photoMaxBytes={webConfig().PHOTO_MAX_BYTES}
            initial={{
              title: product.title,
              description: product.description,
              price: formatMinor(product.priceMinor, product.currency),
              currency: product.currency,
              category: product.category?.slug ?? "",
              images: product.images.join("\n"),
            }}
          />
          <div>
            <SubmitButton pendingLabel="Saving…">Save changes</SubmitButton>
          </div>
        </ActionForm>
        <aside>
          <section className="panel" aria-labelledby="publish-title">
            <h2 id="publish-title">Visibility</h2>
            <ActionForm action={productStatusAction} className="inline-form" label="Change visibility">
              <input type="hidden" name="id" value={product.id} />
              {product.status !== "active" ? (
                <SubmitButton name="intent" value="publish" pendingLabel="Publishing…">
                  Publish
                </SubmitButton>
              ) : (
                <>
                  <SubmitButton className="button secondary" name="intent" value="unpublish" pendingLabel="…">
                    Unpublish
                  </SubmitButton>
                  <Link href={`/products/${product.id}`}>View in shop</Link>
                </>
              )}
              {product.status !== "archived" ? (
                <SubmitButton className="button danger" name="intent" value="archive" pendingLabel="Archiving…">
                  Archive
                </SubmitButton>
              ) : null}
            </ActionForm>
          </section>
          <section className="panel" aria-labelledby="stock-title">
            <h2 id="stock-title">Stock</h2>
            <p>
              <AvailabilityBadge availability={product.availability} />{" "}
              {product.availability.status === "known" ? <span className="small muted">{product.availability.available} available to sell</span> : null}
            </p>
            <ActionForm action={setStockAction} label="Set stock" className="form">
              <input type="hidden" name="id" value={product.id} />
              <Field name="onHand" label="Units on hand" type="number" min={0} max={1_000_000} inputMode="numeric" required hint="Counts units reserved by open orders too." />
              <div>
                <SubmitButton className="button secondary" pendingLabel="Saving stock…">
                  Save stock
                </SubmitButton>
              </div>
            </ActionForm>
            <p className="small muted">SKU {product.sku}</p>
          </section>
        </aside>
      </div>
    </main>
  );
}
