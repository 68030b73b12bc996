# Cairn: multi-stage build. The runtime image holds production dependencies and the compiled
# server only, runs as a non-root user, keeps its data in a volume and reports its health.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
COPY ui ./ui
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=8080 CAIRN_DATA_DIR=/var/lib/cairn CAIRN_JOURNEYS_DIR=/app/journeys
WORKDIR /app
RUN groupadd --system cairn && useradd --system --gid cairn --home-dir /var/lib/cairn cairn \
 && mkdir -p /var/lib/cairn && chown cairn:cairn /var/lib/cairn
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/ui/dist ./ui/dist
COPY package.json ./
COPY bin ./bin
COPY config ./config
COPY journeys ./journeys
COPY schemas ./schemas
USER cairn
VOLUME ["/var/lib/cairn"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "bin/cairn.js", "serve"]
