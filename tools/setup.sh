#!/usr/bin/env bash
# Installs what the build, tests and demo need (Debian 12 packages), then
# configures and builds into build/. Safe to run again: installs only what is
# missing and rebuilds only what changed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  build-essential cmake ninja-build pkg-config git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  grpc-proto libabsl-dev libpqxx-dev libhiredis-dev
  libboost1.81-dev libboost-json1.81-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  prometheus-cpp-dev libjemalloc-dev
  postgresql redis-server
  prometheus yamllint
  clang-14 libclang-rt-14-dev openssl
  chromium  # the dashboard's browser test (tests/dashboard)
  curl      # tools/sim/simulate.sh reads the dashboard's data
)
# Not needed to build, only to build faster (CMakeLists.txt uses each when
# present): ccache for rebuilds, lld for links; images leave them out.
packages+=(ccache lld)
# Node.js for the reflection client and manifest checks, unless the machine
# has one already (it may come from elsewhere than Debian).
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  # Without an fsync per unpacked file (about 600 packages on a new
  # machine): a crash mid-install means installing again, nothing worse.
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq \
    --no-install-recommends -o Dpkg::Options::=--force-unsafe-io \
    "${missing[@]}" >/dev/null
fi

# Node modules of the test clients and checks: npm ci when missing or stale.
bash "$root/tests/deploy/deploy_check.sh" node-modules
(cd "$root/tests/reflection" &&
  { [ -d node_modules ] && [ node_modules -nt package-lock.json ] ||
    npm ci --no-audit --no-fund --loglevel=error; })

# Debug info as line tables (-g1): backtraces and profiles keep their
# function names and lines, and the build takes a fifth less CPU and its
# objects a twentieth of the disk. Configure a build directory of your own
# with -g to step through variables in a debugger.
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" >/dev/null
cmake --build "$root/build" -j "$(nproc)"
