# syntax=docker/dockerfile:1
# Multi-stage: build native modules and TypeScript with the toolchain, ship only what runs.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# hnswlib-node compiles with node-gyp (approved in package.json "allowScripts").
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json config.ts keys.ts logger.ts i18n.ts reload-gate.ts ./
COPY locales ./locales
COPY text ./text
COPY db ./db
COPY knowledge ./knowledge
COPY workers ./workers
COPY bot ./bot
COPY app ./app
RUN npm run build \
  && node dist/knowledge/cli/ingest.js knowledge/corpus \
  && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production INDEX_DIR=/app/data/index KNOWLEDGE_DIR=/app/knowledge/corpus
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/data ./data
COPY --from=build --chown=node:node /app/knowledge/corpus ./knowledge/corpus
COPY --from=build --chown=node:node /app/workers/routing/example-province.yaml ./workers/routing/example-province.yaml
COPY --chown=node:node package.json ./
USER node
EXPOSE 3000
ENV HOST=0.0.0.0
# The bot (all configured channels) plus workers; `node dist/app/worker.js` runs workers only,
# `node dist/knowledge/cli/ask.js "<question>"` answers one question.
CMD ["node", "dist/app/main.js"]
