-- CreateIndex
CREATE INDEX "Delivery_channelId_idx" ON "Delivery"("channelId");
