#!/usr/bin/env bash
# Installs every Debian package skyfuse needs to build, test and run.
# Idempotent; runs as root on a fresh Debian 12 (re-runs itself with sudo otherwise).
set -euo pipefail
if [ "$(id -u)" != 0 ]; then exec sudo -E "$0" "$@"; fi
export DEBIAN_FRONTEND=noninteractive
packages=(
  # toolchain and build
  build-essential g++ cmake ninja-build pkg-config git clang clang-format libclang-rt-14-dev
  # libraries
  libgeographiclib-dev geographiclib-tools libeigen3-dev libfmt-dev libspdlog-dev
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev zlib1g-dev libzstd-dev libboost-dev
  libabsl-dev libpcap-dev
  # the message bus (docs/scale-out.md): NATS's official C client, and the server for
  # the tests and the three-node cluster of scripts/nats_cluster.sh
  libnats-dev nats-server
  # the Python module `skyfuse` (python/): pybind11 and the interpreter's headers; numpy
  # for its columns (as_arrays=True, pybind11/numpy.h) and the Stone Soup adapter
  pybind11-dev python3-pybind11 python3-dev python3-numpy
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev python3
  # tools/behaviour_check.py reads recordings' zstd frames with the zstd program
  zstd
  # independent oracles used by tests (Wireshark's ASTERIX dissector)
  tshark
  # tools/make_link_captures.py remakes the captures of tests/data/asterix/links/
  # (tcpdump for the real ones, scapy for the crafted ones)
  tcpdump python3-scapy
  # promtool (Prometheus' linter) checks /metrics in CTest apps.metrics_promtool; only the
  # tool is used (the package also installs a prometheus service, which skyfuse does not need)
  prometheus
  # the web map's end-to-end test: headless Chromium (driven by playwright-core from npm)
  chromium
  # the JavaScript libraries the stock dump1090-mutability page below links to
  libjs-jquery libjs-jquery-ui libjs-jquery-ui-theme-smoothness libjs-excanvas
)
# Node.js and npm for the web map's packages (world-atlas base map, topojson-client,
# playwright-core): Debian's, unless a Node.js with npm is already installed.
if ! command -v npm > /dev/null 2>&1; then packages+=(nodejs npm); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "setup: all ${#packages[@]} packages present"

# A stock page of tar1090's family for CTest apps.stock_page: Debian's dump1090-mutability
# 1.15 web page (the ancestor of tar1090's; it reads the same receiver.json, history_N.json
# and aircraft.json). Only its files are unpacked, outside dpkg's database: installing the
# package would add a receiver daemon and a system user that skyfuse does not need.
umask 022  # what is unpacked below is read by every user (tests, the demo)
stock=/usr/local/share/skyfuse/dump1090-mutability
if [ ! -f "$stock/usr/share/dump1090-mutability/html/gmap.html" ]; then
  tmp=$(mktemp -d)
  chmod 755 "$tmp"  # apt's download user (_apt) writes there
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && apt-get download -qq dump1090-mutability 2> /dev/null ||
    { apt-get update -qq && apt-get download -qq dump1090-mutability; })
  rm -rf "$stock.new" && mkdir -p "$stock.new"
  dpkg-deb -x "$tmp"/dump1090-mutability_*.deb "$stock.new"
  rm -rf "$stock.new/usr/bin" "$stock"
  mv "$stock.new" "$stock"  # whole or not at all: an interrupted run starts again
  echo "setup: dump1090-mutability's web page unpacked in $stock"
fi
# Its aircraft database (30,708 registrations and types by address, 2018) in readsb's
# aircraft.csv layout, for the demo's map (scripts/demo.sh: run --aircraft-db).
if [ ! -s /usr/local/share/skyfuse/aircraft.csv ]; then
  python3 "$(dirname "$0")/../tools/aircraft_db_from_dump1090.py" \
    "$stock/usr/share/dump1090-mutability/html/db" /usr/local/share/skyfuse/aircraft.csv.new
  mv /usr/local/share/skyfuse/aircraft.csv.new /usr/local/share/skyfuse/aircraft.csv
fi

# `import skyfuse` for the user who ran this: a .pth file in that user's site
# directory names build/release/python, where the release build puts the module
# (Debian's pip is externally managed: no pip install). Python skips the entry
# until the directory exists.
module_dir="$(cd "$(dirname "$0")/.." && pwd)/build/release/python"
as_user=()
if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then as_user=(sudo -u "$SUDO_USER" -H); fi
"${as_user[@]}" python3 - "$module_dir" << 'EOF_PY'
import os, site, sys
d = site.getusersitepackages()
os.makedirs(d, exist_ok=True)
with open(os.path.join(d, "skyfuse.pth"), "w") as f:
    f.write(sys.argv[1] + "\n")
print(f"setup: python3 finds the skyfuse module in {sys.argv[1]} ({d}/skyfuse.pth)")
EOF_PY
