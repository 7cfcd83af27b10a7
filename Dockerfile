# The service image: `mappa serve` on Node 20. Token settings come from the environment (AUTH_*).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY projections ./projections
COPY reference ./reference
COPY bin ./bin
COPY web ./web
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
USER node
EXPOSE 3000
ENTRYPOINT ["node", "bin/mappa.js"]
CMD ["serve"]
