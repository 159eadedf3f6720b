-- AlterTable
ALTER TABLE "MailSettings" ADD COLUMN     "pauseReason" TEXT,
ADD COLUMN     "pausedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "MailSend" ADD COLUMN     "lockedUntil" TIMESTAMP(3),
ADD COLUMN     "smtpReply" TEXT;

