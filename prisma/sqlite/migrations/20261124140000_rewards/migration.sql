-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "messageTemplates" TEXT;
ALTER TABLE "Shop" ADD COLUMN "milestones" TEXT;

-- CreateTable
CREATE TABLE "RewardGrant" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,
    "milestoneKey" TEXT NOT NULL,
    "activeSlot" TEXT,
    "milestone" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "orderGid" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "code" TEXT,
    "discountGid" TEXT,
    "expiresAt" DATETIME,
    "error" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "issuedAt" DATETIME,
    "redeemedAt" DATETIME,
    "revokedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "RewardGrant_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RecomputeRun" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "total" INTEGER NOT NULL DEFAULT 0,
    "done" INTEGER NOT NULL DEFAULT 0,
    "changed" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "RewardGrant_shop_orderGid_idx" ON "RewardGrant"("shop", "orderGid");

-- CreateIndex
CREATE INDEX "RewardGrant_shop_status_idx" ON "RewardGrant"("shop", "status");

-- CreateIndex
CREATE INDEX "RewardGrant_shop_code_idx" ON "RewardGrant"("shop", "code");

-- CreateIndex
CREATE UNIQUE INDEX "RewardGrant_shop_customerId_activeSlot_key" ON "RewardGrant"("shop", "customerId", "activeSlot");

-- CreateIndex
CREATE INDEX "RecomputeRun_shop_id_idx" ON "RecomputeRun"("shop", "id");

