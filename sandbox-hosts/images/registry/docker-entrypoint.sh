#!/bin/sh
# As in the official image: a config file argument means `registry serve FILE`, a subcommand goes to registry.
set -e

case "$1" in
  *.yaml|*.yml) set -- registry serve "$@" ;;
  serve|garbage-collect|help|-*) set -- registry "$@" ;;
esac

exec "$@"
