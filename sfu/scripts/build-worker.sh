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
# Two variants of the worker's SRTP (sfu/WORKER.md):
#   openssl-srtp  (default) libsrtp 2.5.0 from Debian's source package, built with
#                 its OpenSSL crypto backend as a static library (-fPIC) and linked
#                 into the worker. Needs dpkg-dev and apt access to Debian sources.
#   debian-srtp   Debian's shared libsrtp2-1 (built against NSS): the worker as it
#                 was before; kept buildable so that the forwarding benchmark
#                 measures BEFORE and AFTER in one run.
#
# Environment:
#   MS_SRTP             openssl-srtp (default) or debian-srtp
#   MS_INSTALL=0        only build/cache the binary and print its cached path; do
#                       not install it into node_modules (the benchmark's BEFORE)
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

MS_SRTP="${MS_SRTP:-openssl-srtp}"
MS_INSTALL="${MS_INSTALL:-1}"

log() { printf '[build-worker] %s\n' "$*" >&2; }
die() { printf '[build-worker] ERROR: %s\n' "$*" >&2; exit 1; }
case "$MS_SRTP" in openssl-srtp|debian-srtp) ;; *) die "MS_SRTP must be openssl-srtp or debian-srtp (got $MS_SRTP)";; esac

# ------------------------------------------------------------ prerequisites
missing=()
for p in "${DEV_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# dpkg-dev (dpkg-source) unpacks the libsrtp2 source package. Not in
# DEV_PACKAGES: their versions are part of the debian-srtp key, which must not change.
[ "$MS_SRTP" = debian-srtp ] || dpkg-query -W -f='${Status}' dpkg-dev 2>/dev/null | grep -q 'install ok installed' \
  || missing+=(dpkg-dev)
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
# The debian-srtp key is computed exactly as before the variants existed, so
# that an existing cached worker stays valid.
key="$( { printf '%s\n' "$MS_VERSION" "${MESON_OPTS[*]}" "$dev_versions" "$(uname -m)";
          cat "${PATCHES[@]}" "$PATCH_DIR/srtp3compat/srtp.h"; } | sha256sum | cut -c1-16)"

# ------------------------------------------- libsrtp 2.5 over OpenSSL (static)
# Debian's libsrtp2 source (the version of the installed libsrtp2-dev), fetched
# once through a private apt configuration whose deb-src entries are derived
# from the machine's own deb entries (no mirror is named here, nothing in
# /etc/apt is changed), built with meson: crypto-library=openssl, static, PIC.
SRTP_VERSION="$(dpkg-query -W -f='${Version}' libsrtp2-dev)"
SRTP_MESON_OPTS=(--buildtype release -Ddefault_library=static -Db_staticpic=true -Dcrypto-library=openssl
  -Dcrypto-library-kdf=disabled -Dtests=disabled -Dpcap-tests=disabled -Ddoc=disabled -Dfuzzer=disabled)
SRTP_WORK="$WORK/libsrtp2"

derive_deb_src() { # prints deb-src entries made from the machine's deb entries
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] && sed -nE 's/^[[:space:]]*deb[[:space:]]+/deb-src /p' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    # deb822 stanzas whose Types include "deb" become "Types: deb-src".
    [ -f "$f" ] && awk 'BEGIN { RS = ""; ORS = "\n\n" }
      /(^|\n)Types:[^\n]*[ \t]deb([ \t]|\n|$)/ || /(^|\n)Types:deb([ \t]|\n|$)/ {
        gsub(/Types:[^\n]*/, "Types: deb-src"); print }' "$f"
  done
  return 0
}

fetch_libsrtp_source() { # sets SRTP_SRC
  local dir="$SRTP_WORK/src-$SRTP_VERSION"
  SRTP_SRC="$(find "$dir" -mindepth 2 -maxdepth 2 -name meson.build -printf '%h\n' 2>/dev/null | head -1 || true)"
  [ -n "$SRTP_SRC" ] && return
  local apt="$SRTP_WORK/apt"
  rm -rf "$apt" "$dir" && mkdir -p "$apt/sources.list.d" "$apt/lists/partial" "$apt/cache/archives/partial" "$dir"
  derive_deb_src | awk '/^deb-src /' > "$apt/sources.list.d/deb-src.list"
  derive_deb_src | awk '!/^deb-src /' > "$apt/sources.list.d/deb-src.sources"
  [ -s "$apt/sources.list.d/deb-src.list" ] || [ -s "$apt/sources.list.d/deb-src.sources" ] \
    || die "no deb entry in /etc/apt to derive a deb-src entry from"
  local opts=(-q -o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt/sources.list.d"
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root)
  log "apt-get source libsrtp2=$SRTP_VERSION (deb-src derived from /etc/apt)"
  apt-get "${opts[@]}" update >"$SRTP_WORK/apt.log" 2>&1 || { tail -20 "$SRTP_WORK/apt.log" >&2; die "apt-get update (deb-src) failed"; }
  (cd "$dir" && apt-get "${opts[@]}" source --only-source "libsrtp2=$SRTP_VERSION") >>"$SRTP_WORK/apt.log" 2>&1 \
    || { tail -20 "$SRTP_WORK/apt.log" >&2; die "apt-get source libsrtp2=$SRTP_VERSION failed"; }
  rm -rf "$apt"
  SRTP_SRC="$(find "$dir" -mindepth 2 -maxdepth 2 -name meson.build -printf '%h\n' | head -1)"
  [ -n "$SRTP_SRC" ] || die "libsrtp2 $SRTP_VERSION source has no meson.build"
}

if [ "$MS_SRTP" = openssl-srtp ]; then
  # The result depends on the source version, the options, the compiler and OpenSSL's headers.
  srtp_key="$( { printf '%s\n' "$SRTP_VERSION" "${SRTP_MESON_OPTS[*]}" "$(uname -m)";
                 dpkg-query -W -f='${Package}=${Version}\n' gcc libssl-dev meson; } | sha256sum | cut -c1-16)"
  SRTP_PREFIX="$SRTP_WORK/prefix-$srtp_key"
  key="$(printf '%s\n' "$key" openssl-srtp "$srtp_key" | sha256sum | cut -c1-16)"
fi
build_libsrtp() {
  [ -f "$SRTP_PREFIX/lib/libsrtp2.a" ] && [ -f "$SRTP_PREFIX/lib/pkgconfig/libsrtp2.pc" ] && return
  fetch_libsrtp_source
  log "building libsrtp2 $SRTP_VERSION with OpenSSL (static, PIC)"
  local b="$SRTP_WORK/build"
  rm -rf "$b" "$SRTP_PREFIX.tmp"
  (meson setup "$b" "$SRTP_SRC" --prefix "$SRTP_PREFIX.tmp" --libdir lib "${SRTP_MESON_OPTS[@]}" \
     && meson compile -C "$b" && meson install -C "$b") >"$SRTP_WORK/build.log" 2>&1 \
    || { tail -30 "$SRTP_WORK/build.log" >&2; die "libsrtp2 build failed (log: $SRTP_WORK/build.log)"; }
  # The .pc file names the prefix: rewrite it for the final place.
  sed -i "s|$SRTP_PREFIX.tmp|$SRTP_PREFIX|g" "$SRTP_PREFIX.tmp/lib/pkgconfig/libsrtp2.pc"
  rm -rf "$b" "$SRTP_PREFIX" && mv "$SRTP_PREFIX.tmp" "$SRTP_PREFIX"
}
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
    if [ "$MS_SRTP" = openssl-srtp ]; then
      build_libsrtp
      # pkg-config finds the static libsrtp2 (its lib dir holds only libsrtp2.a)
      # before Debian's shared one; the check after the build makes sure.
      export PKG_CONFIG_PATH="$SRTP_PREFIX/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
    fi

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
    log "compiling mediasoup-worker $MS_VERSION, $MS_SRTP (about 8-12 min on 2 cores the first time on a machine)"
    meson compile -C "$SRC/worker/build" "${jobs[@]}" mediasoup-worker >>"$WORK/meson-compile.log" 2>&1 \
      || { grep -E 'error|FAILED' "$WORK/meson-compile.log" | head -30 >&2; die "compile failed (log: $WORK/meson-compile.log)"; }
    log "worker built in $(( $(date +%s) - start )) s"
    check_bin "$SRC/worker/build/mediasoup-worker" || die "the built worker does not run (expected exit code 41)"
    if [ "$MS_SRTP" = openssl-srtp ]; then
      # (Whole outputs in variables: `nm | grep -q` fails under pipefail by SIGPIPE.)
      needed="$(readelf -d "$SRC/worker/build/mediasoup-worker")"
      symbols="$(nm "$SRC/worker/build/mediasoup-worker")"
      ! grep -qE 'libsrtp2|libnss3' <<<"$needed" || die "the openssl-srtp worker still links libsrtp2.so or libnss3"
      grep -q srtp_aes_gcm_openssl <<<"$symbols" || die "the openssl-srtp worker lacks libsrtp's OpenSSL ciphers"
    fi
    mkdir -p "$BIN_DIR"
    cp "$SRC/worker/build/mediasoup-worker" "$BIN.tmp" && mv "$BIN.tmp" "$BIN"
    rm -rf "$SRC"
  fi
  flock -u 9
fi

if [ "$MS_INSTALL" = 0 ]; then
  echo "MEDIASOUP_WORKER_BIN=$BIN"
  exit 0
fi
if ! cmp -s "$BIN" "$DEST" 2>/dev/null; then
  mkdir -p "$(dirname "$DEST")"
  cp "$BIN" "$DEST.tmp" && mv "$DEST.tmp" "$DEST"
  log "installed $DEST"
fi
echo "MEDIASOUP_WORKER_BIN=$DEST"
