-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "survey" TEXT;

-- AlterTable
ALTER TABLE "Customer" ADD COLUMN "consentUpdatedAt" DATETIME;
ALTER TABLE "Customer" ADD COLUMN "emailMarketingConsent" TEXT;
ALTER TABLE "Customer" ADD COLUMN "locale" TEXT;

-- CreateTable
CREATE TABLE "MailSettings" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "security" TEXT NOT NULL,
    "username" TEXT,
    "passwordSealed" TEXT,
    "fromAddress" TEXT NOT NULL,
    "fromName" TEXT,
    "replyTo" TEXT,
    "sendFromHour" INTEGER NOT NULL DEFAULT 9,
    "sendToHour" INTEGER NOT NULL DEFAULT 20,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Campaign" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "holdoutPercent" INTEGER NOT NULL DEFAULT 10,
    "attributionDays" INTEGER NOT NULL DEFAULT 14,
    "definition" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "MailSend" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "campaignKey" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,
    "referenceKey" TEXT NOT NULL,
    "step" INTEGER NOT NULL DEFAULT 1,
    "group" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'scheduled',
    "scheduledFor" DATETIME NOT NULL,
    "sentAt" DATETIME,
    "messageId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "MailSend_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ProductInterval" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "productGid" TEXT NOT NULL,
    "title" TEXT,
    "learnedDaysPerUnit" INTEGER,
    "samplePairs" INTEGER NOT NULL DEFAULT 0,
    "sampleCustomers" INTEGER NOT NULL DEFAULT 0,
    "overrideDaysPerUnit" INTEGER,
    "learnedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SurveyResponse" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "customerId" INTEGER,
    "orderGid" TEXT NOT NULL,
    "questionKey" TEXT NOT NULL,
    "choiceKey" TEXT,
    "freeText" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SurveyResponse_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Campaign_shop_key_key" ON "Campaign"("shop", "key");

-- CreateIndex
CREATE INDEX "MailSend_status_scheduledFor_idx" ON "MailSend"("status", "scheduledFor");

-- CreateIndex
CREATE INDEX "MailSend_shop_campaignKey_createdAt_idx" ON "MailSend"("shop", "campaignKey", "createdAt");

-- CreateIndex
CREATE INDEX "MailSend_shop_customerId_idx" ON "MailSend"("shop", "customerId");

-- CreateIndex
CREATE UNIQUE INDEX "MailSend_shop_campaignKey_customerId_referenceKey_step_key" ON "MailSend"("shop", "campaignKey", "customerId", "referenceKey", "step");

-- CreateIndex
CREATE UNIQUE INDEX "ProductInterval_shop_productGid_key" ON "ProductInterval"("shop", "productGid");

-- CreateIndex
CREATE INDEX "SurveyResponse_shop_questionKey_createdAt_idx" ON "SurveyResponse"("shop", "questionKey", "createdAt");

-- CreateIndex
CREATE INDEX "SurveyResponse_shop_customerId_idx" ON "SurveyResponse"("shop", "customerId");

-- CreateIndex
CREATE UNIQUE INDEX "SurveyResponse_shop_orderGid_key" ON "SurveyResponse"("shop", "orderGid");

