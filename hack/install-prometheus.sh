#!/usr/bin/env bash
# Installs Debian's `prometheus` package (Prometheus 2.42 and promtool) when promtool is missing:
# `npm run test:rules` and the Prometheus e2e test need both binaries. The package's service is
# not started (policy-rc.d denies it for the install): tests start their own Prometheus.
#
#   hack/install-prometheus.sh     install if missing; prints nothing when already installed
set -euo pipefail

if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: promtool/prometheus not found and no apt-get: install Prometheus 2.x (Debian package 'prometheus')" >&2
  exit 1
fi
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "error: installing the 'prometheus' package needs root" >&2; exit 1; }
  sudo=(sudo)
fi

echo "[install-prometheus] installing Debian's prometheus package" >&2
policy=/usr/sbin/policy-rc.d
own_policy=false
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod +x "$policy"
  own_policy=true
fi
cleanup() { if $own_policy; then "${sudo[@]}" rm -f "$policy"; fi; }
trap cleanup EXIT

"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
# Where the package did start its service anyway (no policy-rc.d support), stop it: tests need
# the port range free and their own instances only.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
  "${sudo[@]}" systemctl stop prometheus || true
fi
promtool --version >/dev/null
