#!/bin/sh
# The internal gRPC PKI of docker-compose.yml, made once on the first `docker compose up` by
# the one-shot `grpc-certs` service and kept in named volumes afterwards:
#   $PKI_DIR/ca/        ca.crt, ca.key        only this service mounts it (issue more here)
#   $PKI_DIR/identity/  server.crt/.key for the compose name `identity`, ca.crt (client CA)
#   $PKI_DIR/reporting/ client.crt/.key (CN and SAN `reporting`), ca.crt (to verify identity)
# EC P-256, valid 825 days. To rotate: `docker compose down`, remove the three grpc-* volumes,
# `docker compose up` (every service gets new certificates at once).
# Outside compose: PKI_DIR=./pki APP_UID=$(id -u) sh docker/grpc-certs.sh
set -eu
PKI_DIR=${PKI_DIR:-/pki}
# The image runs the app as its `node` user (uid 1000): it must be able to read its key.
APP_UID=${APP_UID:-1000}
CA=$PKI_DIR/ca
ID=$PKI_DIR/identity
REP=$PKI_DIR/reporting
DAYS=825

if [ -s "$ID/server.crt" ] && [ -s "$REP/client.crt" ]; then
  echo "grpc-certs: certificates exist, keeping them"
  exit 0
fi
umask 077
mkdir -p "$CA" "$ID" "$REP"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$CA/ca.key" -out "$CA/ca.crt" -days "$DAYS" -subj /CN=identity-internal-grpc-ca \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign

# leaf <dir> <file name> <CN> <subjectAltName> <extendedKeyUsage>
leaf() {
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$1/$2.key" -out "$WORK/$2.csr" -subj "/CN=$3"
  printf 'subjectAltName=%s\nextendedKeyUsage=%s\nbasicConstraints=CA:FALSE\n' "$4" "$5" \
    > "$WORK/$2.ext"
  openssl x509 -req -in "$WORK/$2.csr" -CA "$CA/ca.crt" -CAkey "$CA/ca.key" \
    -CAcreateserial -CAserial "$WORK/ca.srl" -out "$1/$2.crt" -days "$DAYS" \
    -extfile "$WORK/$2.ext"
}
leaf "$ID" server identity 'DNS:identity,DNS:localhost,IP:127.0.0.1' serverAuth
leaf "$REP" client reporting 'DNS:reporting' clientAuth
cp "$CA/ca.crt" "$ID/ca.crt"
cp "$CA/ca.crt" "$REP/ca.crt"

chmod 0755 "$ID" "$REP"
chmod 0444 "$ID"/*.crt "$REP"/*.crt
chown "$APP_UID" "$ID/server.key" "$REP/client.key"
chmod 0400 "$ID/server.key" "$REP/client.key"
echo "grpc-certs: made a CA, the identity server certificate and the reporting client certificate"
