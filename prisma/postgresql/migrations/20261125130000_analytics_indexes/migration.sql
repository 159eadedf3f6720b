-- DropIndex
DROP INDEX "Order_shop_processedAt_idx";

-- DropIndex
DROP INDEX "RankChange_shop_createdAt_idx";

-- CreateTable
CREATE TABLE "AnalyticsSnapshot" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "asOf" TIMESTAMP(3) NOT NULL,
    "payload" TEXT NOT NULL,

    CONSTRAINT "AnalyticsSnapshot_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AnalyticsSnapshot_shop_kind_key" ON "AnalyticsSnapshot"("shop", "kind");

-- CreateIndex
CREATE INDEX "Order_shop_processedAt_customerId_currency_totalPrice_curre_idx" ON "Order"("shop", "processedAt", "customerId", "currency", "totalPrice", "currentTotal", "cancelledAt");

-- CreateIndex
CREATE INDEX "Order_customerId_processedAt_idx" ON "Order"("customerId", "processedAt");

-- CreateIndex
CREATE INDEX "RankChange_shop_createdAt_fromRank_toRank_idx" ON "RankChange"("shop", "createdAt", "fromRank", "toRank");

