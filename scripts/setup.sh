#!/usr/bin/env bash
# Installs every Debian 12 package that observo's build, daemon and tests need.
# Idempotent: packages already present are skipped, so a second run takes seconds.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake pkg-config clang llvm
  # libraries the daemon links
  libboost-dev libboost-system-dev nlohmann-json3-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libcli11-dev libssl-dev zlib1g-dev prometheus-cpp-dev
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libbpf-dev bpftool libelf-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev prometheus curl python3 python3-yaml iproute2 openssl
  libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "setup: need root to install packages (run as root or with sudo)" >&2
  exit 2
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
