-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "provinceCode" TEXT,
ADD COLUMN     "rfmAsOf" TIMESTAMP(3),
ADD COLUMN     "rfmFrequency" INTEGER,
ADD COLUMN     "rfmMonetary" INTEGER,
ADD COLUMN     "rfmRecency" INTEGER,
ADD COLUMN     "rfmSegment" TEXT,
ADD COLUMN     "secondOrderAt" TIMESTAMP(3),
ADD COLUMN     "tags" TEXT;

-- CreateTable
CREATE TABLE "CustomerNote" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,
    "category" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "author" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CustomerNote_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MessageView" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" INTEGER,
    "orderGid" TEXT NOT NULL,
    "surface" TEXT NOT NULL,
    "rankKey" TEXT,
    "locale" TEXT,
    "shownAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MessageView_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BackfillRun" (
    "id" SERIAL NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BackfillRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TagSyncRun" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "tag" TEXT NOT NULL,
    "action" TEXT NOT NULL DEFAULT 'add',
    "filter" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "total" INTEGER NOT NULL DEFAULT 0,
    "done" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TagSyncRun_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "CustomerNote" ADD CONSTRAINT "CustomerNote_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MessageView" ADD CONSTRAINT "MessageView_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

