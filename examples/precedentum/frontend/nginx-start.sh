#!/bin/sh
# Writes nginx's site for the built React app, then runs nginx in the foreground.
# Any path that is not a file gets index.html (the app's own routes). With PRECEDENTUM_BACKEND_URL set
# (Lightsail: both containers on one node, the public endpoint on this one) the backend's paths are passed
# to it; on ECS the load balancer routes them to the backend and this container never sees them.
set -eu
locations=""
if [ -n "${PRECEDENTUM_BACKEND_URL:-}" ]; then
  for path in /api/ /admin/ /static/ /accounts/; do
    locations="$locations
    location $path {
        proxy_pass ${PRECEDENTUM_BACKEND_URL};
        proxy_set_header Host \$host;
        proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto \$http_x_forwarded_proto;
    }"
  done
fi
rm -f /etc/nginx/sites-enabled/default
cat > /etc/nginx/conf.d/default.conf <<CONF
server {
    listen ${PORT:-80};
    server_name _;
    root /usr/share/nginx/html;
    access_log /dev/stdout;
    error_log stderr;
    location /assets/ {
        add_header Cache-Control "public, max-age=31536000, immutable";
    }
    location / {
        try_files \$uri /index.html;
        add_header Cache-Control "no-cache";
    }$locations
}
CONF
exec nginx -g 'daemon off;'
