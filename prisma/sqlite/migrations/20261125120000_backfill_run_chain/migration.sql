-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_BackfillRun" (
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
    "updatedAt" DATETIME NOT NULL,
    "step" INTEGER NOT NULL DEFAULT 0,
    "leaseUntil" DATETIME,
    "polls" INTEGER NOT NULL DEFAULT 0,
    "restarts" INTEGER NOT NULL DEFAULT 0,
    "operationCreatedAt" DATETIME,
    "bytesDone" BIGINT NOT NULL DEFAULT 0,
    "allOrdersScope" BOOLEAN,
    "badLineSamples" TEXT
);
INSERT INTO "new_BackfillRun" ("badLines", "bulkOperationGid", "createdAt", "customersImported", "error", "finishedAt", "id", "linesDone", "objectCount", "ordersImported", "resultUrl", "shop", "startedAt", "status", "updatedAt") SELECT "badLines", "bulkOperationGid", "createdAt", "customersImported", "error", "finishedAt", "id", "linesDone", "objectCount", "ordersImported", "resultUrl", "shop", "startedAt", "status", "updatedAt" FROM "BackfillRun";
DROP TABLE "BackfillRun";
ALTER TABLE "new_BackfillRun" RENAME TO "BackfillRun";
CREATE INDEX "BackfillRun_shop_id_idx" ON "BackfillRun"("shop", "id");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

