#!/usr/bin/env bash
# Builds Hyperdesk's container templates (PVE vztmpl tarballs) from Debian packages only.
# Usage: test/ct-templates/build.sh busybox|debian|all [out-dir]   (default: test-results/ct-templates/)
# Prints each template's path, one per line. Each build is skipped while its inputs are unchanged (<out>/*.stamp).
#   busybox: busybox-static's /bin/busybox + rootfs/ → busybox-<ver>-hyperdesk_<VERSION>_amd64.tar.gz (+ .tar.zst
#            when zstd is installed). Needs busybox-static. Takes about a second.
#   debian:  debootstrap --variant=minbase bookworm + ifupdown, iproute2, iputils-ping, systemd-sysv →
#            debian-12-hyperdesk_<12.x>-<VERSION>_amd64.tar.zst (.tar.xz without zstd). Needs debootstrap, root and
#            Debian's mirror (the .debs are cached in <out>/cache/debs). Takes minutes.
set -euo pipefail

what=${1:-}
case "$what" in busybox|debian|all) ;; *) echo "usage: $0 busybox|debian|all [out-dir]" >&2; exit 2 ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${2:-$repo/test-results/ct-templates}
mkdir -p "$out/cache"
out=$(cd "$out" && pwd)
version=$(tr -d ' \n' < "$here/VERSION")
arch=amd64
log() { echo "ct-templates: $*" >&2; }

# Deterministic tarballs: sorted, numeric root ownership, one mtime, entries as PVE templates have them (./etc/…).
pack() { # <tree> <output>
  local tree=$1 output=$2 tmp="$2.tmp"
  local opts=(--numeric-owner --owner=0 --group=0 --sort=name --mtime=@0 --xattrs --xattrs-include='security.capability' -C "$tree")
  case "$output" in
    *.tar.gz) tar "${opts[@]}" -cf - . | gzip -n -9 > "$tmp" ;;
    *.tar.zst) tar "${opts[@]}" -cf - . | zstd -q -T0 -15 > "$tmp" ;;
    *.tar.xz) tar "${opts[@]}" -cf - . | xz -T0 -6 > "$tmp" ;;
  esac
  mv "$tmp" "$output"
}

# A stamp over everything that goes into a build; the build is skipped while it matches and the outputs exist.
up_to_date() { # <stamp-file> <stamp> <outputs…>
  local file=$1 stamp=$2; shift 2
  [ "$(cat "$file" 2>/dev/null)" = "$stamp" ] || return 1
  local f; for f in "$@"; do [ -f "$f" ] || return 1; done
}

build_busybox() {
  [ -x /bin/busybox ] && /bin/busybox --list-full >/dev/null || { log "no static /bin/busybox: apt-get install busybox-static"; exit 1; }
  local bbver; bbver=$(dpkg-query -W -f='${Version}' busybox-static | sed -E 's/^[0-9]+://; s/^([0-9]+\.[0-9]+).*/\1/')
  local base="busybox-$bbver-hyperdesk_${version}_$arch"
  local outputs=("$out/$base.tar.gz")
  command -v zstd >/dev/null && outputs+=("$out/$base.tar.zst")
  local stamp; stamp=$( { echo "$version"; cat "$0"; (cd "$here/rootfs" && find . | LC_ALL=C sort && find . -type f | LC_ALL=C sort | xargs cat); sha256sum /bin/busybox; printf '%s\n' "${outputs[@]}"; } | sha256sum | cut -c1-16)
  if ! up_to_date "$out/busybox.stamp" "$stamp" "${outputs[@]}"; then
    local work; work=$(mktemp -d "$out/work.XXXXXX")
    local root=$work/root
    mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,run,tmp,root,var/log,etc/network/if-up.d,etc/network/if-down.d,etc/network/if-pre-up.d,etc/network/if-post-down.d}
    cp -a "$here/rootfs/." "$root/"
    cp /bin/busybox "$root/bin/busybox"
    while read -r applet; do
      [ -e "$root/$applet" ] || [ -L "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
    done < <(/bin/busybox --list-full)
    ln -sfn /bin/busybox "$root/sbin/init"
    ln -s ../run "$root/var/run"  # busybox ifup keeps its state in /var/run/ifstate
    echo "$version" > "$root/etc/hd-template-version"
    chmod 0700 "$root/root"; chmod 1777 "$root/tmp"; chmod 0600 "$root/etc/shadow"
    chmod 0755 "$root/etc/init.d/"* "$root/etc/udhcpc/default.script"
    local f; for f in "${outputs[@]}"; do pack "$root" "$f"; done
    rm -rf "$work"
    echo "$stamp" > "$out/busybox.stamp"
    log "built $base ($(du -h "${outputs[0]}" | cut -f1))"
  fi
  printf '%s\n' "${outputs[@]}"
}

build_debian() {
  command -v debootstrap >/dev/null || { log "no debootstrap: apt-get install debootstrap"; exit 1; }
  [ "$(id -u)" = 0 ] || { log "debootstrap needs root"; exit 1; }
  local suite=bookworm mirror=http://deb.debian.org/debian
  local include=ifupdown,iproute2,iputils-ping,systemd-sysv
  local ext=tar.xz; command -v zstd >/dev/null && ext=tar.zst
  local stamp; stamp=$( { echo "$version $suite $mirror $include $ext"; cat "$0"; } | sha256sum | cut -c1-16)
  local previous; previous=$(cat "$out/debian.name" 2>/dev/null || true)
  if [ -n "$previous" ] && up_to_date "$out/debian.stamp" "$stamp" "$out/$previous"; then
    echo "$out/$previous"
    return
  fi
  local work; work=$(mktemp -d "$out/work.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  local root=$work/root
  mkdir -p "$out/cache/debs"
  log "debootstrap $suite (minbase + $include) from $mirror"
  debootstrap --variant=minbase --include="$include" --cache-dir="$out/cache/debs" --arch="$arch" "$suite" "$root" "$mirror" >&2
  # What a template should not carry: caches, logs, this host's identity; first boot makes its own machine-id.
  rm -rf "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/* "$root"/tmp/* "$root"/debootstrap
  : > "$root/etc/machine-id"
  rm -f "$root/var/lib/dbus/machine-id"
  echo localhost > "$root/etc/hostname"
  printf '127.0.0.1 localhost.localnet localhost\n::1 localhost.localnet localhost\n' > "$root/etc/hosts"
  : > "$root/etc/resolv.conf"
  printf 'auto lo\niface lo inet loopback\n' > "$root/etc/network/interfaces"
  echo "$version" > "$root/etc/hd-template-version"
  local point; point=$(cat "$root/etc/debian_version")
  local name="debian-12-hyperdesk_${point}-${version}_$arch.$ext"
  pack "$root" "$out/$name"
  [ -z "$previous" ] || [ "$previous" = "$name" ] || rm -f "$out/$previous"
  echo "$name" > "$out/debian.name"
  echo "$stamp" > "$out/debian.stamp"
  log "built $name ($(du -h "$out/$name" | cut -f1))"
  echo "$out/$name"
}

case "$what" in
  busybox) build_busybox ;;
  debian) build_debian ;;
  all) build_busybox; build_debian ;;
esac
