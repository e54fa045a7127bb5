# Help Desk OTP server image: the compiled server, the built agent console and production
# dependencies only, run by an unprivileged user with the data dir as a volume.
#   docker build -t helpdesk-otp .
#   docker run -d -p 3000:3000 -v helpdesk-data:/data helpdesk-otp
# The commands below are the ones CI and the tests run (test/unit/deploy-files.test.ts checks it).

# ── Production dependencies, with fs-ext (the data-dir lock's flock) compiled for this image ──
FROM node:20-bookworm-slim AS deps
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The desktop app's Electron binary is never needed in an image (npm 10 in this image does not
# read package.json's allowScripts, which keeps it from downloading elsewhere).
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# ── Build: every dependency, then the same `npm run build` as CI (console and server into out/) ──
FROM deps AS build
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# ── Runtime ──
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /opt/helpdesk-otp
# package.json too: it makes out/ ES modules ("type": "module") and gives /healthz its version.
COPY --from=deps /app/package.json ./package.json
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/out/server ./out/server
COPY --from=build /app/out/renderer ./out/renderer
RUN mkdir /data && chown node:node /data
# The image's own unprivileged user (uid 1000); a mounted secret file must be readable by it.
USER node
VOLUME /data
EXPOSE 3000
# No curl in a slim image: node itself asks /healthz (set PORT, not --port, to move the port).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 here, and needs no --init: the kernel gives PID 1 no default action for SIGTERM
# or SIGINT, but the server installs its own handlers for both (a clean shutdown that flushes
# writes and frees the data dir, exit 0; a second signal exits at once), and it starts no child
# processes whose zombies an init would have to reap.
ENTRYPOINT ["node", "out/server/index.js", "--host", "0.0.0.0", "--data", "/data"]
