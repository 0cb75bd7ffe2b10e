-- The request an event came from (its request id and trace context), so consumers and the calls
-- they make can be followed back to it. NULL for events written before this column.

-- AlterTable
ALTER TABLE "OutboxEvent" ADD COLUMN     "headers" JSONB;
