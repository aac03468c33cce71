# Chantier: signaling + SFU in one image (the compose file's coturn service
# runs the same image). Built and run by test/deploy/stack.int.test.ts with
# podman; `docker compose build` builds it the same way.
#
# Stages, ordered so that a change of the sources rebuilds only the last
# layers (the client's and the server's build, then one COPY of their output):
#   deps     npm ci, with the compilers and -dev libraries of the worker build;
#            rebuilt only when a package.json or the lock file changes
#   worker   the mediasoup worker, built from source by the same script as
#            `npm start`/`npm test` use (sfu/scripts/build-worker.sh), against
#            Debian 12's libraries; libsrtp is built from Debian's source package
#            (apt-get source, hence dpkg-dev) with OpenSSL and linked in
#            statically. Its inputs are the lock file and the worker's patches;
#            the script's cache (binary and ccache) is a build cache mount, so
#            even a new lock file costs seconds, not the ~10 minutes of a cold build
#   ffmpeg   recording's FFmpeg, built from Debian 12's ffmpeg source package
#            with only what the recording runs (scripts/build-ffmpeg.sh: ~12 MB
#            instead of Debian's 442 MB ffmpeg package); independent of the
#            sources and the lock file, its result kept in a build cache mount
#   modules  the runtime's node_modules: npm's dev dependencies and the client's
#            own dependencies (vite bundles them into client/dist) pruned, the
#            worker's sources dropped (only its binary runs), and what node
#            never reads at run time (source maps, TypeScript declarations)
#   build    the client (vite) and the server compiled to JavaScript
#            (scripts/build-server.mjs, as `npm start`), gathered in /out
#   final    Debian 12 slim with the worker's shared libraries, coturn,
#            poppler-utils, the FFmpeg above: no compiler, no TypeScript; runs as `node`
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

# FROM node:20-bookworm, not deps: a new lock file or new sources do not rebuild it.
# The deb-src entries are the image's own deb entries (deb822, as Docker Hub's
# Debian 12 images write them).
FROM node:20-bookworm AS ffmpeg
ENV DEBIAN_FRONTEND=noninteractive
RUN sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > /etc/apt/sources.list.d/debian-src.sources \
    && apt-get update && apt-get install -y --no-install-recommends \
      gcc libc6-dev make nasm pkg-config dpkg-dev libopus-dev libvpx-dev
WORKDIR /src
COPY scripts/build-ffmpeg.sh scripts/
RUN --mount=type=cache,target=/cache,id=chantier-ffmpeg \
    CHANTIER_CACHE_DIR=/cache bash scripts/build-ffmpeg.sh /opt/ffmpeg

FROM deps AS modules
RUN npm pkg delete dependencies devDependencies -w client \
    && npm prune --omit=dev --no-audit --no-fund \
    && find node_modules/mediasoup/worker -mindepth 1 -maxdepth 1 ! -name out -exec rm -rf {} + \
    && find node_modules -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete \
    && mkdir /modules && cp -a node_modules /modules/ \
    && for w in sfu signaling turn; do [ ! -d "$w/node_modules" ] || cp -a --parents "$w/node_modules" /modules/; done

FROM deps AS build
# What the two builds read, and nothing else (docs, benches, tests: changing
# them rebuilds nothing).
COPY tsconfig.json ./
COPY scripts/build-server.mjs scripts/
COPY sfu sfu/
COPY turn turn/
COPY signaling signaling/
COPY client client/
RUN npm run build -w client && npm run build:server \
    && mkdir /out && cp -a --parents package.json client/package.json client/dist \
         sfu/package.json sfu/build signaling/package.json signaling/build \
         turn/package.json turn/build turn/turnserver.conf.template /out/

FROM node:20-bookworm-slim
# NODE_OPTIONS: every node run in the image (the server, coturn's command,
# the healthchecks, `node signaling/build/cli/token.js`) loads the packages'
# compiled JavaScript (their "chantier-build" exports), as `npm start` does.
ENV NODE_ENV=production DATA_DIR=/data DEBIAN_FRONTEND=noninteractive NODE_OPTIONS=--conditions=chantier-build
# The worker's shared libraries (see sfu/WORKER.md; libsrtp is linked in
# statically, so no libsrtp2-1/libnss3); poppler-utils for PDF thumbnails
# (pdftoppm); DejaVu, the published minutes' font; coturn for the compose
# file's coturn service (signaling/build/cli/coturn.js); libopus0 and libvpx7
# for recording's FFmpeg.
RUN apt-get update && apt-get install -y --no-install-recommends \
      libssl3 libuv1 libusrsctp2 libabsl20220623 ca-certificates poppler-utils fonts-dejavu-core coturn \
      libopus0 libvpx7 \
    && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
    && mkdir -p /data && chown node:node /data
# FFmpeg: the recording of meetings (README, "Recording a meeting") writes,
# mixes and checks with ffmpeg and ffprobe (in /usr/local/bin, on PATH; their
# libraries in /usr/local/lib, found by their rpath).
COPY --from=ffmpeg /opt/ffmpeg/ /usr/local/
WORKDIR /app
COPY --from=modules /modules/ /app/
COPY --from=worker /app/node_modules/mediasoup/worker/out/Release/mediasoup-worker node_modules/mediasoup/worker/out/Release/
COPY --from=build /out/ /app/
USER node
VOLUME /data
EXPOSE 3000 40000/udp 40000/tcp 40001/udp 40001/tcp
HEALTHCHECK --interval=10s --timeout=15s CMD node -e "fetch('http://127.0.0.1:3000/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Node's flags: signaling/src/nodeFlags.ts (why, and the figures); --conditions=chantier-build is in NODE_OPTIONS above.
CMD ["node", "--max-semi-space-size=4", "signaling/build/server.js"]
