-- AlterEnum
ALTER TYPE "DeliveryKind" ADD VALUE 'announce';

-- AlterTable
ALTER TABLE "Program" ADD COLUMN     "announce" BOOLEAN NOT NULL DEFAULT true;
