-- How far a running job has got (processed of total units), for the operations page's progress bar.

-- AlterTable
ALTER TABLE "JobRun" ADD COLUMN     "processed" INTEGER,
ADD COLUMN     "total" INTEGER,
ADD COLUMN     "unit" TEXT;
