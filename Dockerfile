# Chantier: signaling + SFU in one image (the compose file's coturn service
# runs the same image). Built and run by test/deploy/stack.int.test.ts with
# podman; `docker compose build` builds it the same way.
#
# Stages:
#   deps    npm ci, with the compilers and -dev libraries of the worker build
#   worker  the mediasoup worker, built from source by the same script as
#           `npm start`/`npm test` use (sfu/scripts/build-worker.sh), against
#           Debian 12's libraries; libsrtp is built from Debian's source package
#           (apt-get source, hence dpkg-dev) with OpenSSL and linked in
#           statically. Its inputs are only the lock file and the worker's
#           patches, so its layer is reused until they change; the script's
#           cache (binary and ccache) is a build cache mount, so even then a
#           rebuild takes seconds, not the ~10 minutes of a cold one.
#   build   the client (vite) and the server compiled to JavaScript
#           (scripts/build-server.mjs, as npm start), then the dev dependencies pruned
#   final   Debian 12 slim with the worker's shared libraries, coturn,
#           poppler-utils: no compiler, no TypeScript; runs as `node` (uid 1000)
FROM node:20-bookworm AS deps
ENV DEBIAN_FRONTEND=noninteractive PUPPETEER_SKIP_DOWNLOAD=1
RUN apt-get update && apt-get install -y --no-install-recommends \
      g++ make pkg-config python3 patch ca-certificates meson ninja-build ccache dpkg-dev \
      libssl-dev libuv1-dev libsrtp2-dev libusrsctp-dev libabsl-dev libflatbuffers-dev flatbuffers-compiler \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY sfu/package.json sfu/
COPY signaling/package.json signaling/
COPY client/package.json client/
COPY turn/package.json turn/
RUN npm ci --no-audit --no-fund

FROM deps AS worker
COPY sfu/scripts/build-worker.sh sfu/scripts/
COPY sfu/worker-patches sfu/worker-patches/
RUN --mount=type=cache,target=/cache,id=chantier-mediasoup-worker \
    CHANTIER_CACHE_DIR=/cache bash sfu/scripts/build-worker.sh

FROM deps AS build
COPY . .
COPY --from=worker /app/node_modules/mediasoup/worker/out/Release/mediasoup-worker node_modules/mediasoup/worker/out/Release/
RUN npm run build -w client && npm run build:server \
    && npm prune --omit=dev \
    && rm -rf client/src client/node_modules sfu/worker-patches

FROM node:20-bookworm-slim
ENV NODE_ENV=production DATA_DIR=/data DEBIAN_FRONTEND=noninteractive
# The worker's shared libraries (see sfu/WORKER.md; libsrtp is linked in
# statically, so no libsrtp2-1/libnss3); poppler-utils for PDF thumbnails
# (pdftoppm); DejaVu, the published minutes' font; coturn for the compose
# file's coturn service (signaling/build/cli/coturn.js).
RUN apt-get update && apt-get install -y --no-install-recommends \
      libssl3 libuv1 libusrsctp2 libabsl20220623 ca-certificates poppler-utils fonts-dejavu-core coturn \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /data && chown node:node /data
WORKDIR /app
COPY --from=build /app /app
USER node
VOLUME /data
EXPOSE 3000 40000/udp 40000/tcp 40001/udp 40001/tcp
HEALTHCHECK --interval=10s --timeout=15s CMD node -e "fetch('http://127.0.0.1:3000/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--conditions=chantier-build", "signaling/build/server.js"]
