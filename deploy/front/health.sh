#!/bin/sh
# Healthy when Chantier answers /readyz through the front's own HTTPS port,
# under DOMAIN (by SNI, as a browser reaches it).
port="${HTTPS_PORT:-443}"
exec curl -fsS -o /dev/null --max-time 10 --insecure --resolve "$DOMAIN:$port:127.0.0.1" "https://$DOMAIN:$port/readyz"
