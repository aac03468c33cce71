#!/usr/bin/env bash
# The one set-up step behind `npm start`, `npm test` and `npm run bench`.
# Idempotent: a few seconds when everything is already in place. On a fresh
# Debian 12 machine (as root, or with sudo) it installs, in order:
#   1. apt packages: the worker's compiler and -dev libraries, redis-server,
#      coturn, chromium (browser tests), docker-compose (compose file check),
#      podman and debootstrap (the deployment test);
#   2. npm dependencies (npm ci, no install scripts, no browser download);
#   3. the mediasoup worker, built from source (sfu/scripts/build-worker.sh,
#      cached in ~/.cache/chantier: ~10 min once per machine, then ~1 s);
#   4. the client (vite build), when its sources changed;
#   5. the server as JavaScript for npm start (scripts/build-server.mjs), when its sources changed.
# Set CHANTIER_SKIP_APT=1 to skip step 1 (packages installed another way).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '[setup] %s\n' "$*" >&2; }
t0=$(date +%s)

APT_PACKAGES=(
  # mediasoup worker build (see sfu/WORKER.md)
  g++ make pkg-config python3 patch ca-certificates meson ninja-build ccache
  libssl-dev libuv1-dev libsrtp2-dev libusrsctp-dev libabsl-dev libflatbuffers-dev flatbuffers-compiler
  # apt-get source libsrtp2: libsrtp built with OpenSSL, linked into the worker
  dpkg-dev
  # services and test tools
  redis-server coturn chromium docker-compose
  # network lab of the weak-network tests and benchmarks (test/netlab/: ip netns,
  # TUN devices; its link emulator is a python3 script, see linkemu.py)
  iproute2
  # its UDP firewall (test/netlab/firewall.ts: nft inside the lab's namespace)
  nftables
  # fake camera and microphone files of the audio-only benchmark
  ffmpeg
  # Firefox participants of the browser tests (test/firefox.ts), and the virtual
  # screen its getDisplayMedia captures (headless Firefox has no screen to share)
  firefox-esr xvfb
  # PDF thumbnails (pdftoppm)
  poppler-utils
  # test certificates of TURN over TLS (test/tlsCert.ts)
  openssl
  # saved marked-up PDFs checked with qpdf --check, and encrypted PDFs made for tests (markup.int.test.ts)
  qpdf
  # the published compte rendu's font (DejaVu Sans carries French accents; signaling/src/minutes/pdf.ts)
  fonts-dejavu-core
  # the WebKit browser tests (test/webkit.ts): WebKitGTK's WebDriver and MiniBrowser (it pulls
  # libwebkit2gtk-4.1-0), the X server above (xvfb), and GStreamer's base and good plugins,
  # which play the mock camera in the join screen's preview
  webkit2gtk-driver gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  # the deployment test (test/deploy/stack.int.test.ts, part of npm test): podman builds the
  # images and runs the compose stack (runc: crun refuses this machine's hybrid cgroups;
  # catatonit for compose's init: true; CNI's dnsname plugin so that services find each other
  # by name; iptables for published ports), debootstrap makes the Debian base image
  podman runc catatonit uidmap slirp4netns fuse-overlayfs golang-github-containernetworking-plugin-dnsname
  iptables debootstrap
)

# ------------------------------------------------------------------ 1. apt
if [ "${CHANTIER_SKIP_APT:-0}" != 1 ]; then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    log "apt-get install ${missing[*]}"
    $SUDO apt-get update -qq
    # policy-rc.d on such machines keeps apt from starting redis/coturn services:
    # Chantier starts what it needs itself.
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# ------------------------------------------------------------------ 2. npm
lock_hash="$(sha256sum package-lock.json | cut -c1-16)"
stamp="node_modules/.chantier-lock-$lock_hash"
if [ ! -f "$stamp" ]; then
  log "npm ci"
  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >&2
  rm -f node_modules/.chantier-lock-* && touch "$stamp"
fi

# --------------------------------------------------------- 3. media worker
bash sfu/scripts/build-worker.sh >/dev/null

# ---------------------------------------------------------------- 4. client
if [ ! -f client/dist/index.html ] || \
   [ -n "$(find client/src client/index.html client/vite.config.ts client/swPlugin.ts client/compressPlugin.ts client/protocolPlugin.ts client/public signaling/src/protocol \
           package-lock.json -newer client/dist/index.html -print -quit 2>/dev/null)" ]; then
  log "building the client"
  npm run build --silent -w client >&2
fi

# ---------------------------------------------------------------- 5. server
# Compiled JavaScript for `npm start` (scripts/build-server.mjs), when a source changed.
if [ ! -f signaling/build/server.js ] || \
   [ -n "$(find sfu/src signaling/src turn/src scripts/build-server.mjs package-lock.json \
           -newer signaling/build/server.js -print -quit 2>/dev/null)" ]; then
  log "building the server"
  node scripts/build-server.mjs >&2
fi

log "ready in $(( $(date +%s) - t0 )) s"
