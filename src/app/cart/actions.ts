"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { api } from "~/web/trpc/server";
import { errorToFormState, isUnauthorized, type FormState } from "~/web/forms";
import { assertSameOrigin, readSessionToken } from "~/web/session";

const quantity = z.coerce.number().int();

export async function addToCartAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const productId = String(formData.get("productId") ?? "");
  const returnTo = `/products/${encodeURIComponent(productId)}`;
  if (!(await readSessionToken())) redirect(`/login?next=${encodeURIComponent(returnTo)}`);
  let cart;
  try {
    await assertSameOrigin();
    cart = await (await api()).cart.add.mutate({ productId, quantity: quantity.catch(1).parse(formData.get("quantity") ?? 1) });
  } catch (error) {
    if (isUnauthorized(error)) redirect(`/login?next=${encodeURIComponent(returnTo)}`);
    return errorToFormState(error, { quantity: String(formData.get("quantity") ?? "1") });
  }
  revalidatePath("/cart");
  return { status: "ok", message: `Added to your cart (${cart.itemCount} item${cart.itemCount === 1 ? "" : "s"} in it).` };
}

export async function setQuantityAction(_prev: FormState, formData: FormData): Promise<FormState> {
  try {
    await assertSameOrigin();
    const productId = z.uuid().parse(formData.get("productId"));
    await (await api()).cart.setQuantity.mutate({ productId, quantity: quantity.parse(formData.get("quantity")) });
  } catch (error) {
    if (error instanceof z.ZodError) return { status: "error", message: "Enter a whole number.", fieldErrors: { quantity: ["Enter a whole number."] } };
    return errorToFormState(error);
  }
  revalidatePath("/cart");
  return { status: "idle" };
}

export async function removeLineAction(_prev: FormState, formData: FormData): Promise<FormState> {
  try {
    await assertSameOrigin();
    await (await api()).cart.remove.mutate({ productId: z.uuid().parse(formData.get("productId")) });
  } catch (error) {
    return errorToFormState(error);
  }
  revalidatePath("/cart");
  return { status: "idle" };
}
