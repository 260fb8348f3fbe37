-- AlterTable
ALTER TABLE "Program" ADD COLUMN     "startAt" TIMESTAMP(3),
ADD COLUMN     "timezone" TEXT NOT NULL DEFAULT '';
