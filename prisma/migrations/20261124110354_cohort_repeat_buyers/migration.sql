-- AlterTable
ALTER TABLE "CustomerCohort" ADD COLUMN     "repeatBuyers" INTEGER NOT NULL;
