#!/bin/sh
# Turns a fresh debootstrap tree into the debian image's root filesystem, the way Debian's official Docker
# images are made: container-friendly apt and dpkg settings (rootfs/), no package caches or indexes, no docs,
# and none of the build host's identity. Usage, from this folder: sh trim.sh ROOT
set -eu
root="$1"

cp -R rootfs/. "$root/"
chmod 0755 "$root/usr/sbin/policy-rc.d"
# The deb822 file in rootfs/ replaces debootstrap's one-line list and adds the updates and security suites.
rm -f "$root/etc/apt/sources.list"

# Package caches, indexes and logs are rebuilt by `apt-get update`; they only weigh on every pull.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old \
  "$root"/var/lib/dpkg/*-old "$root"/var/cache/ldconfig/aux-cache
mkdir -p "$root/var/lib/apt/lists/partial"
find "$root/var/log" -type f -delete

# Documentation and translations, as the dpkg excludes in rootfs/ keep them out of later installs. Java's
# packages register man pages with update-alternatives, which needs the section folders to exist.
find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/groff/* "$root"/usr/share/lintian/*
for section in 1 2 3 4 5 6 7 8; do mkdir -p "$root/usr/share/man/man$section"; done
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias ! -name pt_BR ! -name pt ! -name 'en*' \
  -exec rm -rf '{}' +

# The build host's name, resolver and devices: Docker provides its own to every container.
rm -rf "$root"/dev/*
: > "$root/etc/hostname"
: > "$root/etc/resolv.conf"
rm -f "$root/etc/machine-id" "$root/var/lib/dbus/machine-id"
