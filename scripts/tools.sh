#!/usr/bin/env bash
# Installs, once and idempotently, the real peers the tests drive: openssl, the step CLI,
# step-ca (a baseline for interop), zlint, and the ACME clients certbot (Debian) and lego
# (built from the module cache). Go tools land in .tools/bin (git-ignored).
# Re-running is cheap: each tool is skipped when its pinned version is already there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.tools/bin"
mkdir -p "$bin"
export GOFLAGS=-mod=mod

need_apt=()
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
command -v ssh-keygen >/dev/null 2>&1 || need_apt+=(openssh-client)
command -v certbot >/dev/null 2>&1 || need_apt+=(certbot)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
  else
    echo "tools.sh: please install: ${need_apt[*]}" >&2; exit 1
  fi
fi

stamp() { [ -x "$bin/$1" ] && [ -f "$bin/.$1.version" ] && [ "$(cat "$bin/.$1.version")" = "$2" ]; }

STEP_VERSION=v0.30.6
if ! stamp step "$STEP_VERSION"; then
  echo "tools.sh: building step CLI $STEP_VERSION" >&2
  GOBIN="$bin" go install -ldflags "-X main.Version=$STEP_VERSION" "github.com/smallstep/cli/cmd/step@$STEP_VERSION"
  echo "$STEP_VERSION" > "$bin/.step.version"
fi

STEPCA_VERSION=v0.30.2
if ! stamp step-ca "$STEPCA_VERSION"; then
  echo "tools.sh: building step-ca $STEPCA_VERSION" >&2
  GOBIN="$bin" CGO_ENABLED=0 go install "github.com/smallstep/certificates/cmd/step-ca@$STEPCA_VERSION"
  echo "$STEPCA_VERSION" > "$bin/.step-ca.version"
fi

ZLINT_VERSION=v3.7.3
if ! stamp zlint "$ZLINT_VERSION"; then
  echo "tools.sh: building zlint $ZLINT_VERSION" >&2
  tmp=$(mktemp -d)
  cat > "$tmp/go.mod" <<MOD
module zlintbuild
go 1.24
require github.com/zmap/zlint/v3 $ZLINT_VERSION
replace github.com/weppos/publicsuffix-go => github.com/weppos/publicsuffix-go v0.50.3
MOD
  printf '//go:build tools\npackage tools\nimport _ "github.com/zmap/zlint/v3/cmd/zlint"\n' > "$tmp/tools.go"
  (cd "$tmp" && go mod tidy >/dev/null 2>&1 && go build -o "$bin/zlint" github.com/zmap/zlint/v3/cmd/zlint)
  rm -rf "$tmp"
  echo "$ZLINT_VERSION" > "$bin/.zlint.version"
fi
# lego: `go install …@v4.35.2` fails here (the proxy refuses lego/v4's version list, which
# go install reads for deprecation), so the pinned module is downloaded and built in place.
# Cold, this takes minutes on 2 cores.
LEGO_VERSION=v4.35.2
if ! stamp lego "$LEGO_VERSION"; then
  echo "tools.sh: building lego $LEGO_VERSION (slow when cold)" >&2
  go mod download "github.com/go-acme/lego/v4@$LEGO_VERSION"
  (cd "$(go env GOMODCACHE)/github.com/go-acme/lego/v4@$LEGO_VERSION" &&
    go build -ldflags "-X main.version=$LEGO_VERSION" -o "$bin/lego" ./cmd/lego)
  echo "$LEGO_VERSION" > "$bin/.lego.version"
fi

echo "tools.sh: peers ready in $bin" >&2
