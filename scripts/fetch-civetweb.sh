#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fetches civetweb's Debian 12 source package (1.15+dfsg-4, the code of
# libcivetweb1) from the Debian mirror apt uses, checks both archives
# against the SHA-256 sums its .dsc lists (pinned here), unpacks them and
# applies Debian's patches. The build compiles it into the exporter with
# IPv6, which Debian's library is built without. Nothing in apt's
# configuration changes; where the tree is there already, nothing is done.
#
# usage: scripts/fetch-civetweb.sh [DEST]   (default: .deps/civetweb)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$top/.deps/civetweb}
package=civetweb version=1.15+dfsg revision=4
declare -A sha256=(
  ["${package}_${version}.orig.tar.xz"]=ec372e9737bc820118bbb735f46a07d41f795814ca0f38bc6e67048e7a460f33
  ["${package}_${version}-${revision}.debian.tar.xz"]=2fe67d05a15be93764398275372f41f6228b17497b23d04f149482ffde7b3fb8
)
stamp=$dest/.fetched-$version-$revision
[[ -f "$stamp" ]] && exit 0

# The mirror of the first Debian source apt reads (deb822 or one-line).
mirror=${NFCE_DEBIAN_MIRROR:-}
if [[ -z "$mirror" ]]; then
  mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '$1 == "URIs:" && $2 !~ /security/ { print $2; exit }' || true)
fi
if [[ -z "$mirror" ]]; then
  mirror=$(awk '$1 == "deb" && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
fi
mirror=${mirror:-http://deb.debian.org/debian}
pool=${mirror%/}/pool/main/c/$package

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for file in "${!sha256[@]}"; do
  curl -fsS --retry 3 --max-time 120 -o "$work/$file" "$pool/$file" ||
    { echo "cannot fetch $pool/$file" >&2; exit 1; }
  echo "${sha256[$file]}  $work/$file" | sha256sum -c --quiet - ||
    { echo "$file: SHA-256 differs from the pinned sum" >&2; exit 1; }
done
tar -xf "$work/${package}_${version}.orig.tar.xz" -C "$work"
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name "${package}-*")
tar -xf "$work/${package}_${version}-${revision}.debian.tar.xz" -C "$src"
while IFS= read -r p; do
  [[ -z "$p" || "$p" == \#* ]] && continue
  patch -s -p1 -d "$src" <"$src/debian/patches/$p"
done <"$src/debian/patches/series"
rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
mv "$src" "$dest"
touch "$stamp"
echo "civetweb $version-$revision from $pool, checked and patched, in $dest"
