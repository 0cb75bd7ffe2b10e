-- Sign-in and registration attempt counters every API replica shares (src/server/http/rate-limit.ts,
-- rate-limiter-flexible's RateLimiterPostgres layout). The index serves the periodic removal of expired rows.

-- CreateTable
CREATE TABLE "RateLimit" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "RateLimit_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "RateLimit_expire_idx" ON "RateLimit"("expire");
