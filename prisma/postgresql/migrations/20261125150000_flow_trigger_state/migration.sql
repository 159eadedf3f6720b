-- CreateTable
CREATE TABLE "FlowTriggerState" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FlowTriggerState_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "FlowTriggerState_shop_handle_key" ON "FlowTriggerState"("shop", "handle");

