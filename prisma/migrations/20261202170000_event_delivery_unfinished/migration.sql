-- AlterTable
ALTER TABLE "EventDelivery" ADD COLUMN     "unfinished" INTEGER NOT NULL DEFAULT 0;
