-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" DATETIME,
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
    "refreshTokenExpires" DATETIME
);

-- CreateTable
CREATE TABLE "Shop" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "currency" TEXT NOT NULL DEFAULT 'JPY',
    "locale" TEXT NOT NULL DEFAULT 'ja',
    "ianaTimezone" TEXT,
    "rankWindowMonths" INTEGER NOT NULL DEFAULT 12,
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Customer" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "gid" TEXT NOT NULL,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "countryCode" TEXT,
    "orderCount" INTEGER NOT NULL DEFAULT 0,
    "lifetimeSpent" BIGINT NOT NULL DEFAULT 0,
    "windowSpent" BIGINT NOT NULL DEFAULT 0,
    "statsAsOf" DATETIME,
    "firstOrderAt" DATETIME,
    "lastOrderAt" DATETIME,
    "rankKey" TEXT,
    "rankSince" DATETIME,
    "redactedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Order" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "gid" TEXT NOT NULL,
    "name" TEXT,
    "customerId" INTEGER,
    "processedAt" DATETIME NOT NULL,
    "currency" TEXT NOT NULL,
    "totalPrice" BIGINT NOT NULL,
    "sourceCurrentTotal" BIGINT NOT NULL,
    "currentTotal" BIGINT NOT NULL,
    "cancelledAt" DATETIME,
    "sourceUpdatedAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Order_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "OrderLine" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "orderId" INTEGER NOT NULL,
    "shop" TEXT NOT NULL,
    "gid" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "sku" TEXT,
    "productGid" TEXT,
    "variantGid" TEXT,
    "quantity" INTEGER NOT NULL,
    "unitPrice" BIGINT NOT NULL,
    CONSTRAINT "OrderLine_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Refund" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "gid" TEXT NOT NULL,
    "orderGid" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "RankTier" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "labelJa" TEXT NOT NULL,
    "labelEn" TEXT NOT NULL,
    "minOrders" INTEGER,
    "minWindowSpent" BIGINT,
    "combine" TEXT NOT NULL DEFAULT 'any'
);

-- CreateTable
CREATE TABLE "RankChange" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,
    "fromRank" TEXT,
    "toRank" TEXT,
    "reason" TEXT NOT NULL,
    "orderCount" INTEGER NOT NULL,
    "windowSpent" BIGINT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "RankChange_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "WebhookEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "resourceGid" TEXT,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" DATETIME
);

-- CreateTable
CREATE TABLE "Job" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "queue" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "singletonKey" TEXT,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "runAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" DATETIME,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
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

