-- CreateTable
CREATE TABLE "ConnectRateLimitPause" (
    "key" TEXT NOT NULL,
    "until" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "ConnectRateLimitPause_pkey" PRIMARY KEY ("key")
);
