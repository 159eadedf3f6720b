-- CreateIndex
CREATE INDEX "Job_status_singletonKey_idx" ON "Job"("status", "singletonKey");

