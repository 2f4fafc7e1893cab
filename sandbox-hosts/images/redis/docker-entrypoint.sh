#!/bin/sh
# Starts redis-server like the official image does: `docker run redis --appendonly yes` and
# `docker run redis /path/redis.conf` both work, the server runs as user redis, and without a config file it
# listens on every IPv4 address with protected mode off, so other containers and published ports reach it.
set -e

case "$1" in
  -*|*.conf) set -- redis-server "$@" ;;
esac

if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
  # allow `docker run -v somedir:/data` with a directory redis does not own yet
  find . \! -user redis -exec chown redis '{}' +
  exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi

if [ "$1" = redis-server ]; then
  case "${2:-}" in
    *.conf) ;;
    # Put first so that the learner's own --bind or --protected-mode, given later, wins.
    *) shift; set -- redis-server --bind 0.0.0.0 --protected-mode no "$@" ;;
  esac
fi

exec "$@"
