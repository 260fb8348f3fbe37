-- AlterEnum
ALTER TYPE "DeliveryState" ADD VALUE 'skipped';
