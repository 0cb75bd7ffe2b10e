-- Money becomes BIGINT minor units: a total above 2,147,483,647 (e.g. 3 x 10,000,000.00 EUR, or
-- any sizeable IDR/VND/KRW amount) overflowed the integer columns. int -> bigint is exact for every
-- existing value. Each ALTER rewrites its table under an exclusive lock (and rebuilds the price
-- index): on a large database, run it in a quiet hour.

-- AlterTable
ALTER TABLE "Order" ALTER COLUMN "subtotalMinor" SET DATA TYPE BIGINT,
ALTER COLUMN "shippingMinor" SET DATA TYPE BIGINT,
ALTER COLUMN "totalMinor" SET DATA TYPE BIGINT;

-- AlterTable
ALTER TABLE "OrderLine" ALTER COLUMN "unitPriceMinor" SET DATA TYPE BIGINT,
ALTER COLUMN "lineTotalMinor" SET DATA TYPE BIGINT;

-- AlterTable
ALTER TABLE "Payment" ALTER COLUMN "amountMinor" SET DATA TYPE BIGINT;

-- AlterTable
ALTER TABLE "Product" ALTER COLUMN "priceMinor" SET DATA TYPE BIGINT;
