#!/usr/bin/env bash
# Build mediasoup's worker from the installed npm package's sources against
# Debian 12's own libraries, and put the binary where mediasoup looks for it
# (node_modules/mediasoup/worker/out/Release/mediasoup-worker).
#
# Why: mediasoup's postinstall downloads a prebuilt worker from GitHub, and its
# fallback build pulls meson subprojects from GitHub and wrapdb. Neither is
# reachable here (npm registry and apt only). See sfu/WORKER.md for the
# patches and why each exists.
#
# Idempotent and cached outside the repository: the binary is kept under
# $CHANTIER_CACHE_DIR/mediasoup-worker/bin/<version>-<key>/, where <key> hashes
# the mediasoup version, the meson options, every patch, the libsrtp shim, the
# -dev package versions and the CPU architecture. A matching cached binary is
# reused in about a second; otherwise a build takes ~8-12 min on 2 cores with a
# cold ccache (kept in the same cache dir) and ~15 s with a warm one.
#
# Environment:
#   CHANTIER_CACHE_DIR  cache root (default: $XDG_CACHE_HOME/chantier or ~/.cache/chantier)
#   MS_PKG_DIR          installed mediasoup package (default: resolved from node_modules)
#   MS_FORCE=1          rebuild even when a cached binary matches
#   MS_JOBS             parallel compile jobs (default: ninja's)
# Prints MEDIASOUP_WORKER_BIN=<path> as its last line.
set -euo pipefail

MS_VERSION="3.19.3"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PATCH_DIR="$HERE/../worker-patches"
CACHE_ROOT="${CHANTIER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/chantier}"
WORK="$CACHE_ROOT/mediasoup-worker"
# Same flags as mediasoup's own Release build, plus liburing off (Debian 12's
# liburing 2.3 lacks io_uring_prep_sendto & co., which need 2.5).
MESON_OPTS=(--buildtype release -Db_ndebug=true -Dms_disable_liburing=true)
DEV_PACKAGES=(g++ meson ninja-build pkg-config patch libssl-dev libuv1-dev libsrtp2-dev libusrsctp-dev
  libabsl-dev libflatbuffers-dev flatbuffers-compiler)

log() { printf '[build-worker] %s\n' "$*" >&2; }
die() { printf '[build-worker] ERROR: %s\n' "$*" >&2; exit 1; }

# ------------------------------------------------------------ prerequisites
missing=()
for p in "${DEV_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] || die "missing apt packages: ${missing[*]} (scripts/setup.sh installs them)"

if [ -z "${MS_PKG_DIR:-}" ]; then
  MS_PKG_DIR="$(cd "$HERE/.." && node -e \
    "const p=require('node:path');console.log(p.resolve(p.dirname(require.resolve('mediasoup')),'..','..'))")"
fi
[ -f "$MS_PKG_DIR/package.json" ] || die "mediasoup is not installed (run npm ci first)"
MS_PKG_DIR="$(cd "$MS_PKG_DIR" && pwd)"
pkg_version="$(node -p "require('$MS_PKG_DIR/package.json').version")"
[ "$pkg_version" = "$MS_VERSION" ] || die "installed mediasoup is $pkg_version; the patches are made for $MS_VERSION"

# ---------------------------------------------------------------- cache key
mapfile -t PATCHES < <(find "$PATCH_DIR" -maxdepth 1 -name '*.patch' | sort)
[ "${#PATCHES[@]}" -gt 0 ] || die "no patches found in $PATCH_DIR"
dev_versions="$(dpkg-query -W -f='${Package}=${Version}\n' "${DEV_PACKAGES[@]}")"
key="$( { printf '%s\n' "$MS_VERSION" "${MESON_OPTS[*]}" "$dev_versions" "$(uname -m)";
          cat "${PATCHES[@]}" "$PATCH_DIR/srtp3compat/srtp.h"; } | sha256sum | cut -c1-16)"
BIN_DIR="$WORK/bin/$MS_VERSION-$key"
BIN="$BIN_DIR/mediasoup-worker"
DEST="$MS_PKG_DIR/worker/out/Release/mediasoup-worker"

# A sane worker started without MEDIASOUP_VERSION in its environment exits
# with code 41; anything else (127: missing shared library) means broken.
check_bin() { local rc=0; env -i "$1" >/dev/null 2>&1 || rc=$?; [ "$rc" -eq 41 ]; }

if [ "${MS_FORCE:-0}" != 1 ] && [ -x "$BIN" ] && check_bin "$BIN"; then
  log "cached worker $MS_VERSION-$key"
else
  # Serialise concurrent builds (npm start and npm test at once) on one lock.
  mkdir -p "$WORK"
  exec 9>"$WORK/.lock"
  flock 9
  if [ "${MS_FORCE:-0}" = 1 ] || ! { [ -x "$BIN" ] && check_bin "$BIN"; }; then
    SRC="$WORK/src"
    rm -rf "$SRC" && mkdir -p "$SRC"
    cp -a "$MS_PKG_DIR/worker" "$SRC/worker"
    rm -rf "$SRC/worker/out" "$SRC/worker/build"
    for p in "${PATCHES[@]}"; do
      log "applying $(basename "$p")"
      patch -p1 -d "$SRC" --forward --no-backup-if-mismatch --fuzz=0 <"$p" >/dev/null \
        || die "$(basename "$p") does not apply to mediasoup $MS_VERSION"
    done
    cp -r "$PATCH_DIR/srtp3compat" "$SRC/worker/srtp3compat"

    export CCACHE_DIR="$WORK/ccache" CCACHE_BASEDIR="$SRC" CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-1G}"
    jobs=()
    [ -n "${MS_JOBS:-}" ] && jobs=(-j "$MS_JOBS")
    start=$(date +%s)
    (cd "$SRC/worker" && meson setup build "${MESON_OPTS[@]}" >"$WORK/meson-setup.log" 2>&1) \
      || { tail -30 "$WORK/meson-setup.log" >&2; die "meson setup failed (log: $WORK/meson-setup.log)"; }
    # The generated FBS headers are not declared as inputs of the worker's
    # objects: generate them first, as mediasoup's own tasks.py does.
    meson compile -C "$SRC/worker/build" flatbuffers-generator >"$WORK/meson-compile.log" 2>&1 \
      || { tail -30 "$WORK/meson-compile.log" >&2; die "flatbuffers generation failed"; }
    log "compiling mediasoup-worker $MS_VERSION (about 8-12 min on 2 cores the first time on a machine)"
    meson compile -C "$SRC/worker/build" "${jobs[@]}" mediasoup-worker >>"$WORK/meson-compile.log" 2>&1 \
      || { grep -E 'error|FAILED' "$WORK/meson-compile.log" | head -30 >&2; die "compile failed (log: $WORK/meson-compile.log)"; }
    log "worker built in $(( $(date +%s) - start )) s"
    check_bin "$SRC/worker/build/mediasoup-worker" || die "the built worker does not run (expected exit code 41)"
    mkdir -p "$BIN_DIR"
    cp "$SRC/worker/build/mediasoup-worker" "$BIN.tmp" && mv "$BIN.tmp" "$BIN"
    rm -rf "$SRC"
  fi
  flock -u 9
fi

if ! cmp -s "$BIN" "$DEST" 2>/dev/null; then
  mkdir -p "$(dirname "$DEST")"
  cp "$BIN" "$DEST.tmp" && mv "$DEST.tmp" "$DEST"
  log "installed $DEST"
fi
echo "MEDIASOUP_WORKER_BIN=$DEST"
