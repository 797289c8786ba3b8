#!/bin/sh
set -e
if ! getent passwd cpx-portal >/dev/null; then
  adduser --system --group --home /var/lib/cpx-portal --no-create-home cpx-portal >/dev/null 2>&1 ||
    useradd --system --user-group --home-dir /var/lib/cpx-portal --shell /usr/sbin/nologin cpx-portal
fi
mkdir -p /var/lib/cpx-portal
chown cpx-portal:cpx-portal /var/lib/cpx-portal

