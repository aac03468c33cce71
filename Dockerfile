# Chantier: signaling + SFU in one image. The mediasoup worker is built by the
# same script as `npm start`/`npm test` use (sfu/scripts/build-worker.sh),
# against Debian 12's libraries; libsrtp is built from Debian's source package
# (apt-get source, hence dpkg-dev) with OpenSSL and linked in statically.
FROM node:20-bookworm AS build
ENV DEBIAN_FRONTEND=noninteractive PUPPETEER_SKIP_DOWNLOAD=1 CHANTIER_CACHE_DIR=/cache
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
COPY . .
RUN bash sfu/scripts/build-worker.sh && npm run build -w client && npm run build:server && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production DATA_DIR=/data
# The worker's shared libraries (see sfu/WORKER.md; libsrtp is linked in statically, so no libsrtp2-1/libnss3); poppler-utils for PDF thumbnails (pdftoppm);
# coturn for the compose file's coturn service (same image, npm run coturn).
RUN apt-get update && apt-get install -y --no-install-recommends \
      libssl3 libuv1 libusrsctp2 libabsl20220623 ca-certificates poppler-utils coturn \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
VOLUME /data
EXPOSE 3000 40000/udp 40000/tcp 40001/udp 40001/tcp
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:3000/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Node's flags: signaling/src/nodeFlags.ts (why, and the figures).
CMD ["node", "--max-semi-space-size=4", "--conditions=chantier-build", "signaling/build/server.js"]
