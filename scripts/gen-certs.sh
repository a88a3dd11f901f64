#!/usr/bin/env bash
# Generates throw-away certificates for observo's Pixie tests and local experiments with the
# openssl command-line tool:
#   ca.crt/ca.key              a CA
#   server.crt/server.key      server certificate signed by the CA, SANs: localhost, 127.0.0.1,
#                              vizier-query-broker-svc.pl.svc (and .cluster.local)
#   client.crt/client.key      client certificate signed by the CA (mutual TLS)
#   other-ca.crt               an unrelated CA (the "wrong CA" case)
#   expired.crt/expired.key    a server certificate signed by the CA that has already expired
#   soon.crt/soon.key          a client certificate signed by the CA that expires in 2 days
# Usage: scripts/gen-certs.sh OUTPUT_DIR
set -euo pipefail

out=${1:?usage: $0 OUTPUT_DIR}
mkdir -p "$out"
cd "$out"

quiet() { "$@" >/dev/null 2>&1 || { echo "gen-certs: failed: $*" >&2; exit 1; }; }

key() { quiet openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

key ca.key
quiet openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "/CN=observo test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out ca.crt

key other-ca.key
quiet openssl req -x509 -new -key other-ca.key -sha256 -days 3650 -subj "/CN=unrelated CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out other-ca.crt

cat > server.ext <<'EXT'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:vizier-query-broker-svc.pl.svc,DNS:vizier-query-broker-svc.pl.svc.cluster.local
EXT
cat > client.ext <<'EXT'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
EXT

# sign NAME SUBJECT EXTFILE DAYS
sign() {
  key "$1.key"
  quiet openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
  quiet openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 \
    -days "$4" -extfile "$3" -out "$1.crt"
}

sign server "/CN=vizier-query-broker-svc.pl.svc" server.ext 825
sign client "/CN=observo" client.ext 825
sign soon "/CN=observo-soon" client.ext 2

# An expired certificate: openssl x509 has no negative -days, so sign with ca as of the past.
key expired.key
quiet openssl req -new -key expired.key -subj "/CN=localhost" -out expired.csr
if openssl x509 -help 2>&1 | grep -q -- '-not_after'; then
  quiet openssl x509 -req -in expired.csr -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 \
    -not_before 20200101000000Z -not_after 20200102000000Z -extfile server.ext -out expired.crt
else
  cat > expired.cnf <<'CNF'
[ ca ]
default_ca = test
[ test ]
dir = .
database = index.txt
new_certs_dir = .
serial = serial.txt
default_md = sha256
policy = any
copy_extensions = none
[ any ]
commonName = supplied
[ ext ]
basicConstraints=CA:FALSE
subjectAltName=DNS:localhost,IP:127.0.0.1
CNF
  : >index.txt
  echo 1000 >serial.txt
  quiet openssl ca -batch -config expired.cnf -cert ca.crt -keyfile ca.key -extensions ext \
    -startdate 20200101000000Z -enddate 20200102000000Z -in expired.csr -out expired.crt
fi

rm -f ./*.csr ./*.ext ./*.srl expired.cnf index.txt* serial.txt* ./*.pem 2>/dev/null || true
chmod 600 ./*.key
