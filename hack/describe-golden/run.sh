#!/usr/bin/env bash
# Regenerates test/unit/fixtures/describe/*.txt and history/*.txt from the *.json next to them with
# kubectl v0.36.3's own code (see main.go). The first build takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")"
GOFLAGS=-mod=mod go run . ../../test/unit/fixtures/describe
