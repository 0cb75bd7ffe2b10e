-- The fingerprint of the checkout request that placed an order: the same idempotency key with a
-- different cart or address is refused (422) instead of answering with the first order.

-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "requestHash" TEXT;
