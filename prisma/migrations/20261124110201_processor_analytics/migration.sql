-- CreateEnum
CREATE TYPE "SalesGrain" AS ENUM ('hour', 'day');

-- CreateEnum
CREATE TYPE "SalesDimension" AS ENUM ('product', 'seller', 'category', 'total');

-- AlterTable
ALTER TABLE "SalesHourly" ADD COLUMN     "returningBuyers" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "SalesRollup" (
    "grain" "SalesGrain" NOT NULL,
    "dimension" "SalesDimension" NOT NULL,
    "key" TEXT NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "units" INTEGER NOT NULL,
    "revenueMinor" BIGINT NOT NULL,
    "orders" INTEGER NOT NULL,
    "buyers" INTEGER NOT NULL,
    "returningBuyers" INTEGER NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SalesRollup_pkey" PRIMARY KEY ("dimension","grain","key","bucket","currency")
);

-- CreateTable
CREATE TABLE "CustomerCohort" (
    "cohortMonth" DATE NOT NULL,
    "monthOffset" INTEGER NOT NULL,
    "cohortSize" INTEGER NOT NULL,
    "activeBuyers" INTEGER NOT NULL,
    "orders" INTEGER NOT NULL,
    "computedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "CustomerCohort_pkey" PRIMARY KEY ("cohortMonth","monthOffset")
);

-- CreateTable
CREATE TABLE "CustomerRfm" (
    "sellerId" UUID NOT NULL,
    "buyerId" TEXT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "lastOrderAt" TIMESTAMPTZ(3) NOT NULL,
    "orders" INTEGER NOT NULL,
    "monetaryMinor" BIGINT NOT NULL,
    "recency" INTEGER NOT NULL,
    "frequency" INTEGER NOT NULL,
    "monetary" INTEGER NOT NULL,
    "segment" TEXT NOT NULL,
    "computedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "CustomerRfm_pkey" PRIMARY KEY ("sellerId","currency","buyerId")
);

-- CreateTable
CREATE TABLE "ForecastBacktest" (
    "id" UUID NOT NULL,
    "generatedAt" TIMESTAMPTZ(3) NOT NULL,
    "trainedUntil" DATE NOT NULL,
    "heldOutDays" INTEGER NOT NULL,
    "products" INTEGER NOT NULL,
    "productDays" INTEGER NOT NULL,
    "modelMape" DOUBLE PRECISION NOT NULL,
    "modelSmape" DOUBLE PRECISION NOT NULL,
    "modelWape" DOUBLE PRECISION NOT NULL,
    "baselineMape" DOUBLE PRECISION NOT NULL,
    "baselineSmape" DOUBLE PRECISION NOT NULL,
    "baselineWape" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "ForecastBacktest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SalesRollup_grain_bucket_idx" ON "SalesRollup"("grain", "bucket");

-- CreateIndex
CREATE INDEX "CustomerRfm_sellerId_segment_idx" ON "CustomerRfm"("sellerId", "segment");

-- CreateIndex
CREATE INDEX "ForecastBacktest_generatedAt_idx" ON "ForecastBacktest"("generatedAt" DESC);

-- CreateIndex
CREATE INDEX "Order_updatedAt_idx" ON "Order"("updatedAt");
