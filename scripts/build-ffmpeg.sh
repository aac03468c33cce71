#!/usr/bin/env bash
# Recording's FFmpeg for the image (Dockerfile, stage `ffmpeg`): Debian 12's own
# ffmpeg source package (apt-get source: the version and the patches Debian
# ships, security fixes included), configured with --disable-everything and
# exactly what Chantier's recording runs, linked against Debian's libopus and
# libvpx (at run time: libopus0 and libvpx7). About 12 MB instead of the 442 MB
# of Debian's ffmpeg package and the libraries its libavdevice and libavfilter
# pull in.
#
# What the recording runs (signaling/src/recording/), and so what is enabled:
#   writers  TrackWriter.ts: ffmpeg -protocol_whitelist file,udp,rtp -i track.sdp
#            -c copy -f webm|matroska: the sdp demuxer (RTP depacketizers of Opus,
#            VP8, VP9, H264: the codecs of sfu/src/codecs.ts), the file, udp and
#            rtp protocols; the decoders and parsers of those four codecs (the
#            stream's parameters, e.g. a video's size, are probed by decoding its
#            first key frame); the webm and matroska muxers (with the bitstream
#            filters they insert: vp9_superframe, extract_extradata)
#   mix      mix.ts: the segments' files (matroska demuxer; the four decoders),
#            the filters of mixArgs() (asetpts aresample amix apad atrim anullsrc
#            color scale pad setsar fps setpts overlay format trim, and those the
#            ffmpeg tool inserts itself: aformat anull null), encoded with libvpx
#            (VP8) and libopus into webm, or ogg when nobody sent video
#   probe    probe.ts: ffprobe on segments and results (matroska and ogg demuxers)
#   and the pipe protocol, for what is read from stdin or written to stdout by hand.
#
# Usage: build-ffmpeg.sh OUT_DIR   (bin/ffmpeg, bin/ffprobe and lib/*.so* under
# OUT_DIR, to be installed at /usr/local: the binaries find their libraries
# there by their rpath). Needs gcc, libc6-dev, make, nasm, pkg-config,
# dpkg-dev, libopus-dev, libvpx-dev and a deb-src entry in /etc/apt.
#
# Cached: the built tree is kept in $CHANTIER_CACHE_DIR/ffmpeg/<key> (the image
# build mounts a build cache there), <key> hashing the source version, the
# options, the compiler's and libraries' versions and this script; a cache hit
# takes a second, a build ~4-8 min on 2 cores.
set -euo pipefail

OUT="${1:?usage: build-ffmpeg.sh OUT_DIR}"
CACHE="${CHANTIER_CACHE_DIR:-/cache}/ffmpeg"
PREFIX=/usr/local

CONFIGURE=(
  --prefix="$PREFIX" --enable-shared --disable-static --enable-rpath
  --disable-autodetect --enable-pthreads --disable-everything
  --disable-doc --disable-ffplay --disable-avdevice --disable-postproc --disable-debug
  --enable-libopus --enable-libvpx
  --enable-protocol=file,pipe,udp,rtp
  --enable-demuxer=sdp,matroska,ogg
  --enable-muxer=webm,matroska,ogg
  --enable-decoder=opus,vp8,vp9,h264
  --enable-encoder=libvpx_vp8,libopus
  --enable-parser=opus,vp8,vp9,h264
  --enable-bsf=extract_extradata,vp9_superframe,vp9_superframe_split
  --enable-filter=asetpts,aresample,amix,apad,atrim,anullsrc,aformat,anull,color,scale,pad,setsar,fps,setpts,overlay,format,trim,null
)
BUILD_PACKAGES=(gcc libc6-dev make nasm pkg-config libopus-dev libvpx-dev)

log() { printf '[build-ffmpeg] %s\n' "$*" >&2; }
die() { printf '[build-ffmpeg] ERROR: %s\n' "$*" >&2; exit 1; }

# The source version apt-get source fetches: the highest of bookworm's and bookworm-security's
# (with its epoch, 7:, which apt-get source NAME=VERSION needs).
version=""
for v in $(apt-cache showsrc ffmpeg 2>/dev/null | awk '/^Package:/ { p = $2 } /^Version:/ && p == "ffmpeg" { print $2 }'); do
  if [ -z "$version" ] || dpkg --compare-versions "$v" gt "$version"; then version="$v"; fi
done
[ -n "$version" ] || die "no ffmpeg source package: is there a deb-src entry in /etc/apt?"
key="$( { printf '%s\n' "$version" "${CONFIGURE[*]}" "$(uname -m)";
          dpkg-query -W -f='${Package}=${Version}\n' "${BUILD_PACKAGES[@]}"; cat "$0"; } | sha256sum | cut -c1-16)"
DONE="$CACHE/$key"

# A built tree is sane when its ffmpeg runs and lists the encoders the mix uses.
check() {
  local encoders
  encoders="$(LD_LIBRARY_PATH="$1/lib" "$1/bin/ffmpeg" -hide_banner -encoders 2>/dev/null)" || return 1
  grep -q ' libvpx ' <<<"$encoders" && grep -q ' libopus ' <<<"$encoders" \
    && LD_LIBRARY_PATH="$1/lib" "$1/bin/ffprobe" -hide_banner -version >/dev/null 2>&1
}

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
if [ -x "$DONE/bin/ffmpeg" ] && check "$DONE"; then
  log "cached FFmpeg $version ($key)"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  log "apt-get source ffmpeg=$version"
  (cd "$work" && apt-get source -q --only-source "ffmpeg=$version") >"$work/source.log" 2>&1 \
    || { tail -20 "$work/source.log" >&2; die "apt-get source ffmpeg=$version failed"; }
  src="$(find "$work" -mindepth 2 -maxdepth 2 -name configure -printf '%h\n' | head -1)"
  [ -n "$src" ] || die "ffmpeg $version's source has no configure"
  start=$(date +%s)
  (cd "$src" && ./configure "${CONFIGURE[@]}") >"$work/configure.log" 2>&1 \
    || { tail -30 "$work/configure.log" >&2; die "configure failed"; }
  # A component name configure does not know is only a warning there: an error here.
  if grep -i 'did not match anything' "$work/configure.log" >&2; then die "unknown component in the options"; fi
  log "compiling FFmpeg $version (a few minutes on 2 cores)"
  make -C "$src" -j"$(nproc)" >"$work/make.log" 2>&1 \
    || { grep -E 'error|Error' "$work/make.log" | head -30 >&2; die "make failed"; }
  make -C "$src" install DESTDIR="$work/install" >>"$work/make.log" 2>&1 || die "make install failed"
  tree="$work/tree"
  mkdir -p "$tree/bin" "$tree/lib"
  cp -a "$work/install$PREFIX/bin/ffmpeg" "$work/install$PREFIX/bin/ffprobe" "$tree/bin/"
  cp -a "$work/install$PREFIX/lib/"*.so* "$tree/lib/"
  strip --strip-unneeded "$tree/bin/"* "$tree/lib/"*.so.*.*.*
  check "$tree" || die "the built ffmpeg does not run or lacks libvpx/libopus"
  log "FFmpeg $version built in $(( $(date +%s) - start )) s: $(du -sh "$tree" | cut -f1)"
  rm -rf "$DONE.tmp" && cp -a "$tree" "$DONE.tmp" && rm -rf "$DONE" && mv "$DONE.tmp" "$DONE"
  # Trees of other keys (an earlier version or options) are of no further use.
  find "$CACHE" -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} +
fi
flock -u 9
mkdir -p "$OUT"
cp -a "$DONE/." "$OUT/"
