-- DropIndex
DROP INDEX "Order_shop_processedAt_idx";

-- DropIndex
DROP INDEX "RankChange_shop_createdAt_idx";

-- CreateTable
CREATE TABLE "AnalyticsSnapshot" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "asOf" DATETIME NOT NULL,
    "payload" TEXT NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "AnalyticsSnapshot_shop_kind_key" ON "AnalyticsSnapshot"("shop", "kind");

-- CreateIndex
CREATE INDEX "Order_shop_processedAt_customerId_currency_totalPrice_currentTotal_cancelledAt_idx" ON "Order"("shop", "processedAt", "customerId", "currency", "totalPrice", "currentTotal", "cancelledAt");

-- CreateIndex
CREATE INDEX "Order_customerId_processedAt_idx" ON "Order"("customerId", "processedAt");

-- CreateIndex
CREATE INDEX "RankChange_shop_createdAt_fromRank_toRank_idx" ON "RankChange"("shop", "createdAt", "fromRank", "toRank");

