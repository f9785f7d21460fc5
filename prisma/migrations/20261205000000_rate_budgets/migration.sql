-- CreateTable
CREATE TABLE "ConnectRateBudget" (
    "key" TEXT NOT NULL,
    "windowStart" TIMESTAMPTZ(3) NOT NULL,
    "spent" INTEGER NOT NULL,
    "granted" INTEGER NOT NULL,

    CONSTRAINT "ConnectRateBudget_pkey" PRIMARY KEY ("key")
);
