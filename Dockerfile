# The app as a container image: the standalone artifact (scripts/build-standalone.ts) on Node 20,
# nothing else. test/package/standalone.test.ts runs the same artifact outside the repository in
# CI; `npm run lint:docker` checks this file. Build: docker build -t connect-checklists .

# deps: the dependencies exactly as locked. npm ci runs the postinstall (prisma generate), which
# reads the Prisma schema and its config.
FROM node:20.20.2-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY lib/connect/package.json lib/connect/
COPY prisma.config.ts ./
COPY prisma prisma
COPY scripts/prisma-generate.sh scripts/
RUN --mount=type=cache,target=/root/.npm npm ci

# build: next build, the app server's bundle, then the standalone artifact around it.
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /app/node_modules node_modules
COPY --from=deps /app/lib/generated lib/generated
COPY . .
RUN npm run build

# runtime: only the artifact, owned by root and read-only to the user the app runs as; the user
# may write its data dir and Next's cache, nothing else.
FROM node:20.20.2-bookworm-slim AS runtime
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    DATA_DIR=/data
# Docker sets HOSTNAME to the container's name; the app server listens on HOSTNAME.
ENV HOSTNAME=0.0.0.0
WORKDIR /app
COPY --from=build /app/.next/standalone ./
RUN mkdir -p /data .next/cache && chown node:node /data .next/cache
USER node
EXPOSE 3000
# Liveness; the load balancer routes on readiness (/health/ready, deploy/haproxy.cfg).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health', { headers: { 'x-forwarded-proto': 'https' } }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The app server drains in-flight requests on SIGTERM (SHUTDOWN_TIMEOUT_MS, 10 s) and exits 0.
STOPSIGNAL SIGTERM
CMD ["node", "app-server.mjs"]
