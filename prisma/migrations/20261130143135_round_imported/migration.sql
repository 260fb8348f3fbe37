-- AlterTable
ALTER TABLE "Round" ADD COLUMN     "imported" BOOLEAN NOT NULL DEFAULT false;
