# syntax=docker/dockerfile:1
# omnibroker image: Node 24, runs the TypeScript sources through tsx, non-root, with the helm binary that the
# local-helm backend spawns. Build: docker build -t omnibroker .   Run: docker run -p 8080:8080 omnibroker

# Build stage: the locked dependencies, then the dev ones pruned away.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund \
  && npm prune --omit=dev --no-audit --no-fund \
  && npm cache clean --force

# helm for the local-helm backend (a static binary).
FROM alpine/helm:3.16.4 AS helm

# Production stage: only what runs, owned by root and read-only for the node user (uid 1000).
FROM node:24-bookworm-slim AS production
ENV NODE_ENV=production \
    HELM_CACHE_HOME=/tmp/helm/cache \
    HELM_CONFIG_HOME=/tmp/helm/config \
    HELM_DATA_HOME=/tmp/helm/data
WORKDIR /app
COPY --from=helm /usr/bin/helm /usr/local/bin/helm
COPY --from=build /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY templates ./templates
RUN ln -s /app/bin/omnibroker.js /usr/local/bin/omnibroker
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/omnibroker.js"]
CMD ["serve"]
