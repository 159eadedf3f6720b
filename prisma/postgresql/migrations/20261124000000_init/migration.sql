-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" TIMESTAMP(3),
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "collaborator" BOOLEAN DEFAULT false,
    "emailVerified" BOOLEAN DEFAULT false,
    "refreshToken" TEXT,
    "refreshTokenExpires" TIMESTAMP(3),

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Shop" (
    "shop" TEXT NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'JPY',
    "locale" TEXT NOT NULL DEFAULT 'ja',
    "ianaTimezone" TEXT,
    "rankWindowMonths" INTEGER NOT NULL DEFAULT 12,
    "installedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Shop_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "Customer" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "gid" TEXT NOT NULL,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "countryCode" TEXT,
    "orderCount" INTEGER NOT NULL DEFAULT 0,
    "lifetimeSpent" BIGINT NOT NULL DEFAULT 0,
    "windowSpent" BIGINT NOT NULL DEFAULT 0,
    "statsAsOf" TIMESTAMP(3),
    "firstOrderAt" TIMESTAMP(3),
    "lastOrderAt" TIMESTAMP(3),
    "rankKey" TEXT,
    "rankSince" TIMESTAMP(3),
    "redactedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Customer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Order" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "gid" TEXT NOT NULL,
    "name" TEXT,
    "customerId" INTEGER,
    "processedAt" TIMESTAMP(3) NOT NULL,
    "currency" TEXT NOT NULL,
    "totalPrice" BIGINT NOT NULL,
    "sourceCurrentTotal" BIGINT NOT NULL,
    "currentTotal" BIGINT NOT NULL,
    "cancelledAt" TIMESTAMP(3),
    "sourceUpdatedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Order_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OrderLine" (
    "id" SERIAL NOT NULL,
    "orderId" INTEGER NOT NULL,
    "shop" TEXT NOT NULL,
    "gid" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "sku" TEXT,
    "productGid" TEXT,
    "variantGid" TEXT,
    "quantity" INTEGER NOT NULL,
    "unitPrice" BIGINT NOT NULL,

    CONSTRAINT "OrderLine_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Refund" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "gid" TEXT NOT NULL,
    "orderGid" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Refund_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RankTier" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "labelJa" TEXT NOT NULL,
    "labelEn" TEXT NOT NULL,
    "minOrders" INTEGER,
    "minWindowSpent" BIGINT,
    "combine" TEXT NOT NULL DEFAULT 'any',

    CONSTRAINT "RankTier_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RankChange" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,
    "fromRank" TEXT,
    "toRank" TEXT,
    "reason" TEXT NOT NULL,
    "orderCount" INTEGER NOT NULL,
    "windowSpent" BIGINT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RankChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookEvent" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "resourceGid" TEXT,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),

    CONSTRAINT "WebhookEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "queue" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "singletonKey" TEXT,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "runAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Session_shop_idx" ON "Session"("shop");

-- CreateIndex
CREATE INDEX "Customer_shop_rankKey_idx" ON "Customer"("shop", "rankKey");

-- CreateIndex
CREATE INDEX "Customer_shop_lastOrderAt_idx" ON "Customer"("shop", "lastOrderAt");

-- CreateIndex
CREATE UNIQUE INDEX "Customer_shop_gid_key" ON "Customer"("shop", "gid");

-- CreateIndex
CREATE INDEX "Order_shop_customerId_idx" ON "Order"("shop", "customerId");

-- CreateIndex
CREATE INDEX "Order_shop_processedAt_idx" ON "Order"("shop", "processedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Order_shop_gid_key" ON "Order"("shop", "gid");

-- CreateIndex
CREATE INDEX "OrderLine_orderId_idx" ON "OrderLine"("orderId");

-- CreateIndex
CREATE INDEX "OrderLine_shop_productGid_idx" ON "OrderLine"("shop", "productGid");

-- CreateIndex
CREATE INDEX "Refund_shop_orderGid_idx" ON "Refund"("shop", "orderGid");

-- CreateIndex
CREATE UNIQUE INDEX "Refund_shop_gid_key" ON "Refund"("shop", "gid");

-- CreateIndex
CREATE UNIQUE INDEX "RankTier_shop_key_key" ON "RankTier"("shop", "key");

-- CreateIndex
CREATE UNIQUE INDEX "RankTier_shop_position_key" ON "RankTier"("shop", "position");

-- CreateIndex
CREATE INDEX "RankChange_shop_customerId_idx" ON "RankChange"("shop", "customerId");

-- CreateIndex
CREATE INDEX "RankChange_shop_createdAt_idx" ON "RankChange"("shop", "createdAt");

-- CreateIndex
CREATE INDEX "WebhookEvent_status_id_idx" ON "WebhookEvent"("status", "id");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookEvent_shop_eventId_key" ON "WebhookEvent"("shop", "eventId");

-- CreateIndex
CREATE INDEX "Job_status_runAt_idx" ON "Job"("status", "runAt");

-- CreateIndex
CREATE INDEX "Job_shop_queue_idx" ON "Job"("shop", "queue");

-- AddForeignKey
ALTER TABLE "Order" ADD CONSTRAINT "Order_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OrderLine" ADD CONSTRAINT "OrderLine_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RankChange" ADD CONSTRAINT "RankChange_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

