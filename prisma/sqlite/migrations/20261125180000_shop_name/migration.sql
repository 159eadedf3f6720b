-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "name" TEXT;

