# syntax=docker/dockerfile:1
#
# floorboard: one image for the server (TypeScript run by tsx, no compile step) and the built web app.
#
#   docker build -t floorboard .
#   docker run -p 3000:3000 -e REDIS_URL=redis://HOST:6379 -e KAFKA_BROKERS=HOST:9092 floorboard
#
# Stages: `deps` (every dependency, for the web build), `build` (npm run build -> web/build),
# `prod-deps` (runtime dependencies only; tsx is one of them), `runtime` (what ships, non-root).

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
RUN npm run build

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# Runtime dependencies only (tsx, express, kafkajs, ioredis, @sveltejs/kit for the built handler, …).
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
# Everything is owned by root and only readable by the `node` user (uid 1000) that runs the process;
# the app writes nothing to disk (tsx keeps its transform cache under /tmp).
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY config ./config
COPY server ./server
COPY streams ./streams
COPY --from=build /app/web/build ./web/build
USER node
EXPOSE 3000
# 200 = ok; 503 = degraded (Redis unreachable, Kafka disconnected, or ingestion retrying): unhealthy.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/v1/health',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node directly (not npm) so SIGTERM reaches the process and its graceful shutdown runs.
CMD ["node", "--import", "tsx", "server/main.ts"]
