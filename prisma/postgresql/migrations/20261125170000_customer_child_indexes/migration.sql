-- CreateIndex
CREATE INDEX "RankChange_customerId_idx" ON "RankChange"("customerId");

-- CreateIndex
CREATE INDEX "RewardGrant_customerId_idx" ON "RewardGrant"("customerId");

-- CreateIndex
CREATE INDEX "CustomerNote_customerId_idx" ON "CustomerNote"("customerId");

-- CreateIndex
CREATE INDEX "MessageView_customerId_idx" ON "MessageView"("customerId");

-- CreateIndex
CREATE INDEX "MailSend_customerId_idx" ON "MailSend"("customerId");

-- CreateIndex
CREATE INDEX "SurveyResponse_customerId_idx" ON "SurveyResponse"("customerId");

