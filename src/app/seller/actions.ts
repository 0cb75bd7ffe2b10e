"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { api } from "~/web/trpc/server";
import { errorToFormState, textFields, type FormState } from "~/web/forms";
import { PRODUCT_FIELD_NAMES, PRODUCT_FIELDS, parsePhotoFields, parseProductForm } from "~/web/product-form";
import { assertSameOrigin } from "~/web/session";

export async function markShippedAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const values = textFields(formData, ["orderId", "carrier", "trackingNumber"] as const);
  let order;
  try {
    await assertSameOrigin();
    order = await (await api()).orders.markShipped.mutate(values);
  } catch (error) {
    return errorToFormState(error, values);
  }
  // The shipped order's form goes away with the re-render, so the confirmation lives on the page.
  revalidatePath("/seller/orders");
  redirect(`/seller/orders?shipped=${order.number}`);
}

export async function createProductAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const values = textFields(formData, PRODUCT_FIELDS);
  const parsed = parseProductForm(values);
  if (!parsed.ok) return parsed.state;
  const initialStock = values.initialStock === "" ? undefined : Number(values.initialStock);
  if (initialStock !== undefined && !Number.isInteger(initialStock)) {
    return { status: "error", message: "Please correct the highlighted fields.", fieldErrors: { initialStock: ["Enter a whole number of units."] }, values };
  }
  let product;
  try {
    await assertSameOrigin();
    product = await (await api()).seller.products.create.mutate({
      ...parsed.value,
      photos: parsePhotoFields(formData),
      sku: values.sku || undefined,
      initialStock,
      publish: formData.get("publish") === "on",
    });
  } catch (error) {
    return errorToFormState(error, values, PRODUCT_FIELD_NAMES);
  }
  revalidatePath("/seller/products");
  redirect(`/seller/products/${product.id}?created=1`);
}

export async function updateProductAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const values = textFields(formData, [...PRODUCT_FIELDS, "id"] as const);
  const parsed = parseProductForm(values);
  if (!parsed.ok) return parsed.state;
  try {
    await assertSameOrigin();
    await (await api()).seller.products.update.mutate({ id: values.id, ...parsed.value, photos: parsePhotoFields(formData) });
  } catch (error) {
    return errorToFormState(error, values, PRODUCT_FIELD_NAMES);
  }
  revalidatePath(`/seller/products/${values.id}`);
  revalidatePath("/seller/products");
  return { status: "ok", message: "Saved." };
}

/** Publish, unpublish or archive, from the table's row buttons or the edit page. */
export async function productStatusAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const id = String(formData.get("id") ?? "");
  const intent = String(formData.get("intent") ?? "");
  try {
    await assertSameOrigin();
    const products = (await api()).seller.products;
    if (intent === "publish") await products.publish.mutate({ id });
    else if (intent === "unpublish") await products.unpublish.mutate({ id });
    else if (intent === "archive") await products.archive.mutate({ id });
    else return { status: "error", message: "Unknown action." };
  } catch (error) {
    return errorToFormState(error);
  }
  revalidatePath("/seller/products");
  revalidatePath(`/seller/products/${id}`);
  return { status: "ok", message: intent === "publish" ? "Published: buyers can now find it." : intent === "archive" ? "Archived." : "Moved back to draft." };
}

export async function setStockAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const values = textFields(formData, ["id", "onHand"] as const);
  const onHand = Number(values.onHand);
  if (values.onHand === "" || !Number.isInteger(onHand)) {
    return { status: "error", message: "Enter a whole number of units.", fieldErrors: { onHand: ["Enter a whole number of units."] }, values };
  }
  try {
    await assertSameOrigin();
    const level = await (await api()).seller.products.setStock.mutate({ id: values.id, onHand });
    revalidatePath(`/seller/products/${values.id}`);
    return { status: "ok", message: `Stock saved: ${level.onHand} on hand, ${level.available} available to sell.` };
  } catch (error) {
    return errorToFormState(error, values);
  }
}
