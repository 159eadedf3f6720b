-- AlterTable
ALTER TABLE "Customer" ADD COLUMN "provinceCode" TEXT;
ALTER TABLE "Customer" ADD COLUMN "rfmAsOf" DATETIME;
ALTER TABLE "Customer" ADD COLUMN "rfmFrequency" INTEGER;
ALTER TABLE "Customer" ADD COLUMN "rfmMonetary" INTEGER;
ALTER TABLE "Customer" ADD COLUMN "rfmRecency" INTEGER;
ALTER TABLE "Customer" ADD COLUMN "rfmSegment" TEXT;
ALTER TABLE "Customer" ADD COLUMN "secondOrderAt" DATETIME;
ALTER TABLE "Customer" ADD COLUMN "tags" TEXT;

-- CreateTable
CREATE TABLE "CustomerNote" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,
    "category" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "author" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "CustomerNote_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MessageView" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "customerId" INTEGER,
    "orderGid" TEXT NOT NULL,
    "surface" TEXT NOT NULL,
    "rankKey" TEXT,
    "locale" TEXT,
    "shownAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "MessageView_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "BackfillRun" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "bulkOperationGid" TEXT,
    "resultUrl" TEXT,
    "objectCount" INTEGER NOT NULL DEFAULT 0,
    "linesDone" INTEGER NOT NULL DEFAULT 0,
    "ordersImported" INTEGER NOT NULL DEFAULT 0,
    "customersImported" INTEGER NOT NULL DEFAULT 0,
    "badLines" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "TagSyncRun" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "tag" TEXT NOT NULL,
    "action" TEXT NOT NULL DEFAULT 'add',
    "filter" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "total" INTEGER NOT NULL DEFAULT 0,
    "done" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "CustomerNote_shop_customerId_idx" ON "CustomerNote"("shop", "customerId");

-- CreateIndex
CREATE INDEX "CustomerNote_shop_category_createdAt_idx" ON "CustomerNote"("shop", "category", "createdAt");

-- CreateIndex
CREATE INDEX "MessageView_shop_customerId_idx" ON "MessageView"("shop", "customerId");

-- CreateIndex
CREATE UNIQUE INDEX "MessageView_shop_orderGid_surface_key" ON "MessageView"("shop", "orderGid", "surface");

-- CreateIndex
CREATE INDEX "BackfillRun_shop_id_idx" ON "BackfillRun"("shop", "id");

-- CreateIndex
CREATE INDEX "TagSyncRun_shop_id_idx" ON "TagSyncRun"("shop", "id");

-- CreateIndex
CREATE INDEX "Customer_shop_firstOrderAt_idx" ON "Customer"("shop", "firstOrderAt");

-- CreateIndex
CREATE INDEX "Customer_shop_orderCount_idx" ON "Customer"("shop", "orderCount");

-- CreateIndex
CREATE INDEX "Customer_shop_lifetimeSpent_idx" ON "Customer"("shop", "lifetimeSpent");

-- CreateIndex
CREATE INDEX "Customer_shop_rfmSegment_idx" ON "Customer"("shop", "rfmSegment");

