-- AlterEnum
ALTER TYPE "JobRunStatus" ADD VALUE 'queued';
