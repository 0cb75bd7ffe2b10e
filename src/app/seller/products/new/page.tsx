import type { Metadata } from "next";
import Link from "next/link";
import { api } from "~/web/trpc/server";
import { categoryTree } from "~/web/catalog-query";
import { ActionForm, SubmitButton } from "~/web/components/form";
import { ProductFields } from "~/web/components/product-fields";
import { SellerNav } from "~/web/seller-nav";
import { requireViewer } from "~/web/viewer";
import { webConfig } from "~/web/config";
import { createProductAction } from "../../actions";

export const metadata: Metadata = { title: "New product" };
export const dynamic = "force-dynamic";

export default async function NewProductPage() {
  await requireViewer("/seller/products/new", "seller");
  const categories = await (await api()).catalog.categories.query().then(categoryTree, () => []);
  return (
    <main id="main">
      <SellerNav current="/seller/products" />
      <div className="page-head">
        <h1>New product</h1>
        <Link href="/seller/products">Back to products</Link>
      </div>
      <ActionForm action={createProductAction} label="New product" className="form wide panel">
        <ProductFields categories={categories} isNew photoMaxBytes={webConfig().PHOTO_MAX_BYTES} />
        <div>
          <SubmitButton pendingLabel="Saving…">Create product</SubmitButton>
        </div>
      </ActionForm>
    </main>
  );
}
