#!/bin/sh
# The TLS front (deploy/front/Dockerfile): renders nginx's configuration,
# finds the certificate (Let's Encrypt's, in the letsencrypt volume, under the
# name "chantier", covering DOMAIN and TURN_DOMAIN), starts nginx, and when
# there is none yet gets one with certbot (HTTP-01 through nginx's port 80),
# then renews it twice a day.
#
# Environment: DOMAIN, TURN_DOMAIN (required); ACME_EMAIL (empty: no
# Let's Encrypt, a certificate must be in the volume); ACME_SERVER (default
# Let's Encrypt's); HTTP_PORT (80), HTTPS_PORT (443); CHANTIER_UPSTREAM
# (127.0.0.1:3000), TURN_UPSTREAM (127.0.0.1:3478).
set -eu
: "${DOMAIN:?set DOMAIN}" "${TURN_DOMAIN:?set TURN_DOMAIN}"
HTTP_PORT="${HTTP_PORT:-80}"
HTTPS_PORT="${HTTPS_PORT:-443}"
CHANTIER_UPSTREAM="${CHANTIER_UPSTREAM:-127.0.0.1:3000}"
TURN_UPSTREAM="${TURN_UPSTREAM:-127.0.0.1:3478}"
ACME_EMAIL="${ACME_EMAIL:-}"
ACME_SERVER="${ACME_SERVER:-https://acme-v02.api.letsencrypt.org/directory}"
LIVE=/etc/letsencrypt/live/chantier
CERTS=/run/front/certs

log() { printf '[front] %s\n' "$*" >&2; }

# nginx reads $CERTS/*.pem: links to Let's Encrypt's files, or a throwaway
# self-signed pair so that nginx can start and answer the first challenge.
use_certificate() {
  mkdir -p "$CERTS"
  if [ -s "$LIVE/fullchain.pem" ] && [ -s "$LIVE/privkey.pem" ]; then
    ln -sfn "$LIVE/fullchain.pem" "$CERTS/fullchain.pem"
    ln -sfn "$LIVE/privkey.pem" "$CERTS/privkey.pem"
    return 0
  fi
  log "no certificate in $LIVE yet: a temporary self-signed one"
  rm -f "$CERTS/fullchain.pem" "$CERTS/privkey.pem"
  openssl req -x509 -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -days 7 \
    -subj "/CN=$DOMAIN" -addext "subjectAltName=DNS:$DOMAIN,DNS:$TURN_DOMAIN" \
    -keyout "$CERTS/privkey.pem" -out "$CERTS/fullchain.pem" 2>/dev/null
  return 1
}

https_suffix=""
[ "$HTTPS_PORT" = 443 ] || https_suffix=":$HTTPS_PORT"
sed -e "s|@DOMAIN@|$DOMAIN|g" -e "s|@TURN_DOMAIN@|$TURN_DOMAIN|g" \
    -e "s|@HTTP_PORT@|$HTTP_PORT|g" -e "s|@HTTPS_PORT@|$HTTPS_PORT|g" -e "s|@HTTPS_SUFFIX@|$https_suffix|g" \
    -e "s|@CHANTIER_UPSTREAM@|$CHANTIER_UPSTREAM|g" -e "s|@TURN_UPSTREAM@|$TURN_UPSTREAM|g" \
    /etc/nginx/chantier-front.conf.template > /etc/nginx/nginx.conf
rm -f /run/front/*.sock
have_certificate=1
use_certificate || have_certificate=0
nginx -t -q
nginx -g 'daemon off;' &
nginx_pid=$!
trap 'kill -TERM "$nginx_pid" 2>/dev/null; wait "$nginx_pid"; exit 0' TERM INT

# A certificate from Let's Encrypt (or ACME_SERVER) when there is none yet.
obtain() {
  [ "$have_certificate" = 0 ] || return 0
  if [ -z "$ACME_EMAIL" ]; then
    log "ACME_EMAIL is empty and $LIVE holds no certificate: browsers will refuse the self-signed one"
    return 0
  fi
  log "asking $ACME_SERVER for a certificate for $DOMAIN and $TURN_DOMAIN"
  if certbot certonly --non-interactive --agree-tos --email "$ACME_EMAIL" --server "$ACME_SERVER" \
       --webroot -w /var/www/acme --cert-name chantier -d "$DOMAIN" -d "$TURN_DOMAIN" && use_certificate; then
    have_certificate=1
    nginx -s reload
  else
    log "certbot failed: still on the self-signed certificate; next try in 12 h (or restart the front)"
  fi
}
obtain

# Twice a day: a first certificate if the last try failed, else a renewal
# (certbot renews within 30 days of expiry and reloads nginx).
while kill -0 "$nginx_pid" 2>/dev/null; do
  sleep 43200 & wait $! || true
  if [ "$have_certificate" = 0 ]; then obtain
  elif [ -n "$ACME_EMAIL" ]; then certbot renew --quiet --deploy-hook 'nginx -s reload' || log "certbot renew failed"
  fi
done
wait "$nginx_pid"
