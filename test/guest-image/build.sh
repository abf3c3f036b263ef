#!/usr/bin/env bash
# Builds the Hyperdesk test guest: Debian's cloud kernel + a busybox initramfs, as a bootable ISO (isolinux).
# Usage: test/guest-image/build.sh [out-dir]   (default: test-results/guest-image/). Prints the ISO's path.
# Needs: apt-get (only for the first download), dpkg-deb, busybox-static, cpio, gzip, xorriso, isolinux,
# syslinux-common. Idempotent: the .deb is cached in <out>/cache and an unchanged build is skipped.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-$repo/test-results/guest-image}
mkdir -p "$out/cache"
out=$(cd "$out" && pwd)
cache=$out/cache
version=$(tr -d ' \n' < "$here/VERSION")
iso=$out/hyperdesk-test-guest.iso
log() { echo "guest-image: $*" >&2; }

# Drivers the guest loads (their dependencies are added below). The cloud kernel has no e1000: use virtio-net.
wanted_modules=(virtio_pci virtio_net virtio_blk virtio_scsi ata_piix sr_mod sd_mod isofs button evdev e1000)

# 1. The kernel package: resolve the metapackage to the versioned image, download once into the cache.
meta=linux-image-cloud-amd64
pkg=$(apt-cache depends "$meta" 2>/dev/null | awk '/^ *Depends: linux-image-/ { print $2; exit }' || true)
deb=""
if [ -n "$pkg" ]; then
  deb=$(ls "$cache/${pkg}_"*.deb 2>/dev/null | head -n1 || true)
  if [ -z "$deb" ]; then
    log "downloading $pkg"
    (cd "$cache" && apt-get download "$pkg" 2>&1 | grep -v 'unsandboxed' >&2 || true)
    deb=$(ls "$cache/${pkg}_"*.deb 2>/dev/null | head -n1 || true)
  fi
fi
# Offline, or apt lists missing: use whatever cloud kernel is cached.
[ -n "$deb" ] || deb=$(ls "$cache"/linux-image-*-cloud-amd64_*.deb 2>/dev/null | sort -V | tail -n1 || true)
[ -n "$deb" ] || { log "no $meta package: run apt-get update, or put its .deb in $cache"; exit 1; }

# 2. Skip the build when nothing that goes into it changed.
stamp=$( { echo "$version"; basename "$deb"; cat "$0"; find "$here/rootfs" -type f | sort | xargs cat; readlink -f /bin/busybox; } | sha256sum | cut -c1-16)
if [ -f "$iso" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "$iso"
  exit 0
fi

work=$(mktemp -d "$out/work.XXXXXX")
trap 'rm -rf "$work"' EXIT
log "unpacking $(basename "$deb")"
dpkg-deb -x "$deb" "$work/kernel"
kver=$(ls "$work/kernel/lib/modules" | head -n1)
moddir=$work/kernel/lib/modules/$kver

# 3. The initramfs tree: busybox with its applet links, our rootfs files, the modules in load order.
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,run,tmp,mnt,lib/modules}
cp -a "$here/rootfs/." "$root/"
cp /bin/busybox "$root/bin/busybox"
while read -r applet; do
  [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done < <(/bin/busybox --list-full)
echo "$version" > "$root/etc/hd-version"

declare -A module_path=() visited=()
while read -r f; do
  name=$(basename "$f"); name=${name%.xz}; name=${name%.zst}; name=${name%.ko}
  module_path[${name//-/_}]=$f
done < <(find "$moddir" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst')

module_bytes() { # a module file, decompressed to stdout
  case "$1" in *.xz) xz -dc "$1" ;; *.zst) zstd -dcq "$1" ;; *) cat "$1" ;; esac
}
order=()
add_module() { # depth-first, so each module comes after what it depends on
  local name=${1//-/_} dep deps
  [ -z "${visited[$name]:-}" ] || return 0
  visited[$name]=1
  local file=${module_path[$name]:-}
  if [ -z "$file" ]; then
    grep -qE "/$1\.ko" "$moddir/modules.builtin" 2>/dev/null || log "kernel $kver has no module $1; skipped"
    return 0
  fi
  module_bytes "$file" > "$root/lib/modules/$name.ko"
  deps=$(tr '\0' '\n' < "$root/lib/modules/$name.ko" | sed -n 's/^depends=//p' | head -n1)
  for dep in ${deps//,/ }; do add_module "$dep"; done
  order+=("$name")
}
for m in "${wanted_modules[@]}"; do add_module "$m"; done
printf '%s\n' "${order[@]}" > "$root/lib/modules/load-order"

mkdir -p "$work/iso/boot" "$work/iso/isolinux"
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 | gzip -n -6) > "$work/iso/boot/initrd.gz"
cp "$work/kernel/boot/vmlinuz-$kver" "$work/iso/boot/vmlinuz"

# 4. The ISO: isolinux boots straight into the kernel, no menu, serial console on ttyS0.
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$work/iso/isolinux/"
cat > "$work/iso/isolinux/isolinux.cfg" <<CFG
SERIAL 0 115200
DEFAULT hd
PROMPT 0
TIMEOUT 0
LABEL hd
  KERNEL /boot/vmlinuz
  INITRD /boot/initrd.gz
  APPEND console=tty0 console=ttyS0,115200
CFG
xorriso -as mkisofs -quiet -o "$work/guest.iso" -V HDGUEST -R -J \
  -b isolinux/isolinux.bin -c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table \
  -isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin "$work/iso" >&2

# The kernel and initramfs also sit beside the ISO, for direct boots with -kernel/-initrd/-append "hd.ip=…".
cp "$work/iso/boot/vmlinuz" "$out/vmlinuz"
cp "$work/iso/boot/initrd.gz" "$out/initrd.gz"
mv "$work/guest.iso" "$iso"
echo "$stamp" > "$out/stamp"
log "built $kver, modules: ${order[*]}"
echo "$iso"
