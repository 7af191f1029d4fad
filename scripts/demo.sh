#!/usr/bin/env bash
# A working offline CA in one command: builds stride, creates a PKI in a
# throwaway $STRIDEPATH (or the one you set), issues a leaf for localhost and
# verifies it with openssl. `make demo` runs it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
go build -o "$root/bin/" "$root/cmd/stride" "$root/cmd/stride-ca"
export STRIDEPATH=${STRIDEPATH:-$(mktemp -d)/stride}
stride="$root/bin/stride"
pw="$STRIDEPATH.password"
mkdir -p "$(dirname "$pw")"
[ -f "$pw" ] || head -c 24 /dev/urandom | base64 | tr -d '\n' > "$pw"
"$stride" ca init --name "Stride Demo" --dns localhost --dns 127.0.0.1 --address 127.0.0.1:9000 \
  --provisioner admin@localhost --password-file "$pw" --ssh --acme
"$stride" certificate create localhost "$STRIDEPATH/localhost.crt" "$STRIDEPATH/localhost.key" \
  --ca "$STRIDEPATH/certs/intermediate_ca.crt" --ca-key "$STRIDEPATH/secrets/intermediate_ca_key" \
  --ca-password-file "$pw" --san localhost --san 127.0.0.1 --no-password --insecure --bundle
"$stride" certificate inspect --short "$STRIDEPATH/localhost.crt"
openssl verify -CAfile "$STRIDEPATH/certs/root_ca.crt" -untrusted "$STRIDEPATH/certs/intermediate_ca.crt" "$STRIDEPATH/localhost.crt"
echo
echo "STRIDEPATH=$STRIDEPATH  (CA password in $pw)"
