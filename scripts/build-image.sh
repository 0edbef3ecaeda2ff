#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the exporter and writes an OCI image archive of it from Debian's
# packages alone (no registry, no base image, no container engine): the
# binary, the shared libraries it loads (what ldd names), and an
# /etc/passwd with the user it runs as. `podman load -i OUTPUT.tar` and `umoci` (on the unpacked archive)
# accept it; it is tagged nf-conntrack-exporter:<version>.
#
# usage: scripts/build-image.sh OUTPUT.tar
#   NFCE_BUILD_DIR=DIR  use the build in DIR instead of building one
#                       (Release) in build-image/
set -euo pipefail
output=$(realpath -m "${1:?usage: $0 OUTPUT.tar}")
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

build=${NFCE_BUILD_DIR:-}
if [[ -z "$build" ]]; then
  bash scripts/install-deps.sh build
  build=build-image
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j"$(nproc)"
fi
version=$(sed -n 's/^project(nf_conntrack_exporter VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
ref=nf-conntrack-exporter:$version

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage=$work/stage root=$work/root
# Installed as the .deb has it, then only the program is taken.
DESTDIR="$stage" cmake --install "$build" --prefix /usr >/dev/null
mkdir -p "$root/usr/bin"
cp "$stage/usr/bin/nf_conntrack_exporter" "$root/usr/bin/"
exe=$root/usr/bin/nf_conntrack_exporter
strip --strip-unneeded "$exe"

# Every shared object the exporter loads, at the path the loader finds it,
# as the real file (not the symlink).
libs=$(ldd "$exe" |
  awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u)
# Under their usr-merged directories, as Debian has them: /lib and /lib64
# are links into /usr.
for lib in $libs; do
  dir=$(realpath "$(dirname "$lib")")
  [[ "$dir" == "$root"/* ]] && continue
  mkdir -p "$root$dir"
  cp -L "$lib" "$root$dir/$(basename "$lib")"
done
ln -s usr/lib "$root/lib"
[[ -d "$root/usr/lib64" ]] && ln -s usr/lib64 "$root/lib64"

mkdir -p "$root/etc" "$root/tmp"
chmod 1777 "$root/tmp"
printf '%s\n' 'root:x:0:0:root:/:/nonexistent' \
  'nobody:x:65534:65534:nobody:/nonexistent:/nonexistent' >"$root/etc/passwd"
printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$root/etc/group"

SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)} \
  python3 scripts/oci_image.py "$root" "$output" --ref "$ref" \
  --entrypoint /usr/bin/nf_conntrack_exporter --user 65534:65534 --port 19372 \
  --label "org.opencontainers.image.title=nf_conntrack_exporter" \
  --label "org.opencontainers.image.version=$version" \
  --label "org.opencontainers.image.revision=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)" \
  --label "org.opencontainers.image.licenses=Apache-2.0"
