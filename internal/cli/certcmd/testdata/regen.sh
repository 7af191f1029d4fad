#!/usr/bin/env bash
# Regenerates the expected outputs of the real step CLI for the fixtures here.
# The fixtures themselves were made once with `step certificate create`
# (root-ca, intermediate-ca, leaf with SANs, an RSA leaf with step's provisioner
# extension, Ed25519, a name-constrained CA, odd usages, CSRs). Unit tests never
# run step; run this by hand (STEP=path/to/step) when the fixtures change.
set -euo pipefail
cd "$(dirname "$0")"
STEP=${STEP:-../../../../.tools/bin/step}
mkdir -p step
for f in *.crt *.csr; do
  b=step/$f
  "$STEP" certificate inspect --format json "$f" > "$b.json"
  "$STEP" certificate inspect "$f" > "$b.txt"
  "$STEP" certificate inspect --short "$f" > "$b.short"
  "$STEP" certificate fingerprint "$f" > "$b.fp"
  "$STEP" certificate key "$f" > "$b.key"
done
"$STEP" certificate inspect --bundle --format json bundle.crt > step/bundle.crt.bundle.json
"$STEP" certificate inspect --bundle bundle.crt > step/bundle.crt.bundle.txt
"$STEP" certificate inspect --bundle --short bundle.crt > step/bundle.crt.bundle.short
"$STEP" certificate fingerprint --bundle bundle.crt > step/bundle.crt.bundle.fp
for fmt in base64 base64-url base64-raw base64-url-raw; do
  "$STEP" certificate fingerprint --format "$fmt" rsa.crt > "step/rsa.crt.fp-$fmt"
done
"$STEP" certificate fingerprint --sha1 --insecure rsa.crt > step/rsa.crt.fp-sha1
