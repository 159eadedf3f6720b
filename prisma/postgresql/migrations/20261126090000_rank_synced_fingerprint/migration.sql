-- AlterTable
ALTER TABLE "Customer" ADD COLUMN "rankSyncedFingerprint" TEXT;
