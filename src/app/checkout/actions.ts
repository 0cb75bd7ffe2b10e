"use server";

import { redirect } from "next/navigation";
import { shippingAddressSchema } from "~/core/address";
import { api } from "~/web/trpc/server";
import { errorToFormState, textFields, type FormState } from "~/web/forms";
import { assertSameOrigin } from "~/web/session";

const ADDRESS = shippingAddressSchema.keyof().options;
const FIELD_NAMES = Object.fromEntries(ADDRESS.map((f) => [`shippingAddress.${f}`, f]));

/**
 * Places the order. The idempotency key comes from a hidden field rendered once with the page,
 * so a double click, a retry after a timeout or a resubmitted form all carry the same key and
 * the API returns the one order instead of placing a second.
 */
export async function placeOrderAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const values = textFields(formData, [...ADDRESS, "idempotencyKey"] as const);
  const { idempotencyKey, ...address } = values;
  let order;
  try {
    await assertSameOrigin();
    order = await (await api()).checkout.place.mutate({
      idempotencyKey,
      shippingAddress: {
        ...address,
        country: address.country.toUpperCase(),
        line2: address.line2 || undefined,
        region: address.region || undefined,
        phone: address.phone || undefined,
      },
    });
  } catch (error) {
    return errorToFormState(error, values, FIELD_NAMES);
  }
  redirect(`/orders/${order.id}?placed=1`);
}
