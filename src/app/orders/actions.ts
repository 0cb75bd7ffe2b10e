"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { api } from "~/web/trpc/server";
import { errorToFormState, type FormState } from "~/web/forms";
import { assertSameOrigin } from "~/web/session";

export async function cancelOrderAction(_prev: FormState, formData: FormData): Promise<FormState> {
  try {
    await assertSameOrigin();
    const orderId = z.uuid().parse(formData.get("orderId"));
    await (await api()).orders.cancel.mutate({ orderId });
    revalidatePath(`/orders/${orderId}`);
    return { status: "ok", message: "Your order was cancelled." };
  } catch (error) {
    return errorToFormState(error);
  }
}
