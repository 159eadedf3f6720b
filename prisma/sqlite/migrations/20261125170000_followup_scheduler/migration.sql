-- AlterTable
ALTER TABLE "MailSettings" ADD COLUMN "pauseReason" TEXT;
ALTER TABLE "MailSettings" ADD COLUMN "pausedAt" DATETIME;

-- AlterTable
ALTER TABLE "MailSend" ADD COLUMN "lockedUntil" DATETIME;
ALTER TABLE "MailSend" ADD COLUMN "smtpReply" TEXT;

