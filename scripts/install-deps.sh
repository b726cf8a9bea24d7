#!/usr/bin/env bash
# Installs the Debian 12 packages FinCRM builds, tests and benchmarks with.
# Idempotent: asks apt only for what is missing. Run as root (or with sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git bc
  libsqlite3-dev sqlite3
  libcli11-dev libgtest-dev libgmock-dev
  libxlsxwriter-dev libxgboost-dev libsodium-dev
  libcurl4-openssl-dev python3-aiosmtpd
  libboost-dev libcpp-httplib-dev libsimdjson-dev liblz4-dev libbloom-dev libgoogle-perftools-dev
  clang-14 libclang-rt-14-dev curl
  chromium fonts-wqy-microhei
)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(hyperfine libarmadillo-dev python3-sklearn python3-numpy wrk)
fi
# Node.js and npm (the web console, the OpenAPI check) come from Debian too
# when the machine has none.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
