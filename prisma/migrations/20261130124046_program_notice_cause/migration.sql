-- AlterTable
ALTER TABLE "Program" ADD COLUMN     "noticeCause" TEXT NOT NULL DEFAULT '';
