/** Order progress shared by server and client views. */
export const ORDER_STEPS = [
  { key: "placed", label: "Placed" },
  { key: "paid", label: "Paid" },
  { key: "fulfilling", label: "Preparing" },
  { key: "shipped", label: "Shipped" },
  { key: "delivered", label: "Delivered" },
] as const;

const STEP_OF: Record<string, number> = { pending_payment: 0, paid: 1, fulfilling: 2, shipped: 3, delivered: 4 };

export function orderStep(status: string): number {
  return STEP_OF[status] ?? 0;
}

/** Orders that will not change any more: no need to keep polling them. */
export function isFinalOrderStatus(status: string): boolean {
  return status === "delivered" || status === "cancelled";
}

const STATUS_TEXT: Record<string, string> = {
  pending_payment: "Awaiting payment",
  paid: "Paid",
  fulfilling: "Being prepared",
  shipped: "Shipped",
  delivered: "Delivered",
  cancelled: "Cancelled",
};

export function orderStatusText(status: string): string {
  return STATUS_TEXT[status] ?? status.replace(/_/g, " ");
}

const CHANGE_TEXT: Record<string, string> = {
  pending_payment: "Order placed",
  paid: "Payment received",
  fulfilling: "Sellers are preparing your items",
  shipped: "All items shipped",
  delivered: "Delivered",
  cancelled: "Order cancelled",
};

export function statusChangeText(status: string): string {
  return CHANGE_TEXT[status] ?? status.replace(/_/g, " ");
}
