#!/usr/bin/env bash
# The Debian packages Hyperdesk's lab and tests use. Idempotent; run as root.
set -euo pipefail
packages=(
  openssh-server openssh-client   # each lab node's sshd; ssh-keygen for host keys
  iproute2 iputils-ping           # lab namespaces, bridges, veths
  nftables                        # firewall (node.check, later the firewall area)
  qemu-system-x86 qemu-utils      # virtual machines
  lxc                             # containers
  btrfs-progs                     # btrfs storage
  etcd-server                     # cluster state (cluster mode)
  busybox-static                  # the lab's tiny guest image
  chromium                        # end-to-end tests drive the real renderer here
  fonts-wqy-microhei              # a CJK font, so 中文 renders in the end-to-end screenshots
  procps psmisc                   # ps, pkill for the lab's clean-up
  genisoimage                     # cloud-init NoCloud seed ISOs (as PVE); isoinfo for their tests
  ovmf                            # UEFI firmware for bios: ovmf VMs
  xorriso isolinux syslinux-common cpio  # test/guest-image/build.sh: the test guest's bootable ISO and initramfs
  debootstrap zstd                # test/ct-templates/build.sh: the Debian 12 container template, .tar.zst templates
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian starts daemons on install in some images; the lab runs its own, so stop any stray system sshd/etcd/lxc-net it would not own.
mkdir -p /run/sshd
