"use server";

import { revalidatePath } from "next/cache";
import { api } from "~/trpc/server";
import { errorToFormState, textFields, type FormState } from "~/web/forms";
import { assertSameOrigin } from "~/web/session";

export async function markShippedAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const values = textFields(formData, ["orderId", "carrier", "trackingNumber"] as const);
  try {
    await assertSameOrigin();
    const order = await (await api()).orders.markShipped.mutate(values);
    revalidatePath("/seller/orders");
    return { status: "ok", message: `Order #${order.number} marked as shipped.` };
  } catch (error) {
    return errorToFormState(error, values);
  }
}
