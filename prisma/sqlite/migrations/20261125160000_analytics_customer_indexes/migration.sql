-- DropIndex
DROP INDEX "Customer_shop_rankKey_idx";

-- DropIndex
DROP INDEX "Customer_shop_lastOrderAt_idx";

-- DropIndex
DROP INDEX "Customer_shop_firstOrderAt_idx";

-- DropIndex
DROP INDEX "Customer_shop_lifetimeSpent_idx";

-- DropIndex
DROP INDEX "Customer_shop_rfmSegment_idx";

-- CreateIndex
CREATE INDEX "Customer_shop_rankKey_orderCount_idx" ON "Customer"("shop", "rankKey", "orderCount");

-- CreateIndex
CREATE INDEX "Customer_shop_lastOrderAt_firstOrderAt_secondOrderAt_orderCount_lifetimeSpent_idx" ON "Customer"("shop", "lastOrderAt", "firstOrderAt", "secondOrderAt", "orderCount", "lifetimeSpent");

-- CreateIndex
CREATE INDEX "Customer_shop_firstOrderAt_secondOrderAt_idx" ON "Customer"("shop", "firstOrderAt", "secondOrderAt");

-- CreateIndex
CREATE INDEX "Customer_shop_lifetimeSpent_orderCount_idx" ON "Customer"("shop", "lifetimeSpent", "orderCount");

-- CreateIndex
CREATE INDEX "Customer_shop_rfmSegment_rfmRecency_rfmFrequency_orderCount_lifetimeSpent_idx" ON "Customer"("shop", "rfmSegment", "rfmRecency", "rfmFrequency", "orderCount", "lifetimeSpent");

