/**
 * The one owner of order, payment and shipment statuses. Each status moves only through the
 * functions here, as the transition tables allow (order.ts, payment.ts, shipment.ts): every move is
 * checked, recorded in the order's status history where it concerns the order, and written with its
 * outbox events, in the caller's transaction. tests/architecture/status-writers.test.ts fails on a
 * status written anywhere else.
 */
export {
  advanceOrder,
  AWAITING_DELIVERY_ORDER_STATUSES,
  cancelOrder,
  COUNTED_ORDER_STATUSES,
  failOrderPayment,
  lockOrder,
  markOrderPaid,
  OPENED_ORDER,
  openOrderSql,
  ORDER_TRANSITIONS,
  SHIPPABLE_ORDER_STATUSES,
  voidOrderPayment,
} from "./order";
export { orderPayment, PAYMENT_GATEWAY, PAYMENT_TRANSITIONS } from "./payment";
export {
  applyCarrierStatus,
  bookShipments,
  handOverShipment,
  SHIPMENT_TRANSITIONS,
  SHIPPED_SHIPMENT_STATUSES,
  TRACKED_SHIPMENT_STATUSES,
  type CarrierBooking,
} from "./shipment";
