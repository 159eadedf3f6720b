-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "survey" TEXT;

-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "consentUpdatedAt" TIMESTAMP(3),
ADD COLUMN     "emailMarketingConsent" TEXT,
ADD COLUMN     "locale" TEXT;

-- CreateTable
CREATE TABLE "MailSettings" (
    "shop" TEXT NOT NULL,
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
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MailSettings_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "Campaign" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "holdoutPercent" INTEGER NOT NULL DEFAULT 10,
    "attributionDays" INTEGER NOT NULL DEFAULT 14,
    "definition" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Campaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MailSend" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "campaignKey" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,
    "referenceKey" TEXT NOT NULL,
    "step" INTEGER NOT NULL DEFAULT 1,
    "group" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'scheduled',
    "scheduledFor" TIMESTAMP(3) NOT NULL,
    "sentAt" TIMESTAMP(3),
    "messageId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MailSend_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProductInterval" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "productGid" TEXT NOT NULL,
    "title" TEXT,
    "learnedDaysPerUnit" INTEGER,
    "samplePairs" INTEGER NOT NULL DEFAULT 0,
    "sampleCustomers" INTEGER NOT NULL DEFAULT 0,
    "overrideDaysPerUnit" INTEGER,
    "learnedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProductInterval_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SurveyResponse" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" INTEGER,
    "orderGid" TEXT NOT NULL,
    "questionKey" TEXT NOT NULL,
    "choiceKey" TEXT,
    "freeText" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SurveyResponse_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "MailSend" ADD CONSTRAINT "MailSend_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SurveyResponse" ADD CONSTRAINT "SurveyResponse_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

