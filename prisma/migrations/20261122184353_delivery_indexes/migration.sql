-- DropIndex
DROP INDEX "Delivery_groupId_idx";

-- CreateIndex
CREATE INDEX "Delivery_groupId_kind_idx" ON "Delivery"("groupId", "kind");

-- CreateIndex
CREATE INDEX "Delivery_roundId_idx" ON "Delivery"("roundId");
