#!/usr/bin/env bash
# Builds the Sandbox's VM test image: Debian 12 (bookworm) from Debian's own packages, reproducibly, with
# no loop mounts — mmdebstrap makes the root filesystem, mkfs.ext4 -d turns it into a disk, and the kernel
# and initrd are copied out for QEMU's direct boot. The result is cached outside the repository, keyed by a
# hash of this recipe (this script and files/), so a second run costs nothing.
#
#   npm run vm:image            builds or reuses; prints the image directory as its last line
#   npm run vm:image -- --force rebuilds even when cached (e.g. to pick up Debian's security updates)
#
# Environment:
#   QUADRAXIS_VM_CACHE   where images are kept (default ${XDG_CACHE_HOME:-~/.cache}/quadraxis/vm)
#   QUADRAXIS_VM_MIRROR  the Debian mirror to build from (default http://deb.debian.org/debian); not part of
#                        the hash: a mirror serves the same packages
#
# Needs mmdebstrap, e2fsprogs (mkfs.ext4) and qemu-utils (qemu-img). As root it bootstraps in root mode; as
# another user, mmdebstrap's unshare mode needs subordinate ids (/etc/subuid) for that user.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    *) echo "usage: $0 [--force]" >&2; exit 2 ;;
  esac
done

# The recipe. Everything that changes what ends up on the disk lives here or in files/.
SUITE=bookworm
PACKAGES=(
  systemd-sysv udev linux-image-cloud-amd64 initramfs-tools zstd
  # cloud-init with what its EC2 datasource needs: DHCP before the network is up (isc-dhcp-client), `ip`
  # (iproute2), ifupdown to bring up the network config it writes, and the protocol tables Python reads.
  cloud-init isc-dhcp-client iproute2 ifupdown netbase ca-certificates
  # What init scripts expect on a cloud image.
  python3 sudo less git curl procps dbus openssh-server
)
IMAGE_GIB=4
CMDLINE='root=/dev/vda rw console=tty0 console=ttyS0,115200n8'
MIRROR=${QUADRAXIS_VM_MIRROR:-http://deb.debian.org/debian}

for tool in mmdebstrap mkfs.ext4 qemu-img flock sha256sum; do
  command -v "$tool" > /dev/null || {
    echo "vm:image needs $tool (apt-get install mmdebstrap e2fsprogs qemu-utils util-linux)" >&2
    exit 1
  }
done

hash=$( (cd "$here" && cat build.sh && find files -type f | LC_ALL=C sort | while read -r f; do
  printf '%s\n' "$f"
  cat "$f"
done) | sha256sum | cut -c1-12)
cache=${QUADRAXIS_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/quadraxis/vm}
out="$cache/$hash"
mkdir -p "$cache"

say() { printf '[vm:image] %s\n' "$*" >&2; }

# One builder at a time per recipe: a second caller waits, then finds the image made.
exec 9> "$cache/$hash.lock"
flock 9

if [ "$force" = 0 ] && [ -f "$out/image.json" ]; then
  say "cached: $out"
  echo "$out"
  exit 0
fi

started=$(date +%s)
work=$(mktemp -d "$cache/.build-$hash-XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/image"
# In unshare mode the hook writes here as a subordinate id, not as the caller.
if [ "$(id -u)" -eq 0 ]; then chmod 755 "$work" "$work/image"; else chmod 777 "$work" "$work/image"; fi

# The hooks read these (mmdebstrap keeps the caller's environment).
export QX_WORK="$work" QX_IMAGE_GIB="$IMAGE_GIB"
say "bootstrapping Debian $SUITE from $MIRROR (about a minute)"
# The customize hook runs while mmdebstrap still has /proc, /sys and /dev mounted in the chroot (and, in
# unshare mode, inside its user namespace where the files belong to root): it copies the tree without them
# (--one-file-system) and without apt's downloaded lists, builds the ext4 filesystem from that copy and takes
# out the kernel and initrd.
# shellcheck disable=SC2016 # $1 and the rest are the hook's own, expanded when mmdebstrap runs it
mmdebstrap \
  --variant=minbase \
  --include="$(IFS=,; echo "${PACKAGES[*]}")" \
  --aptopt='APT::Install-Recommends "false"' \
  --customize-hook="copy-in $here/files/fstab /etc" \
  --customize-hook="copy-in $here/files/90-quadraxis-sandbox.cfg /etc/cloud/cloud.cfg.d" \
  --customize-hook="copy-in $here/files/80quadraxis-sandbox-mirror /etc/apt/apt.conf.d" \
  --customize-hook='chmod 644 "$1/etc/fstab" "$1/etc/cloud/cloud.cfg.d/90-quadraxis-sandbox.cfg" "$1/etc/apt/apt.conf.d/80quadraxis-sandbox-mirror"' \
  --customize-hook='printf "debian\n" > "$1/etc/hostname"; : > "$1/etc/machine-id"; rm -f "$1/var/lib/dbus/machine-id"' \
  --customize-hook='rm -f "$1"/etc/ssh/ssh_host_*' \
  --customize-hook='printf "auto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\n" > "$1/etc/network/interfaces"' \
  --customize-hook='set -e; stage="$QX_WORK/stage"; mkdir -p "$stage"
    tar -C "$1" --one-file-system --exclude=./var/lib/apt/lists/* --exclude=./var/cache/apt/* -cf - . |
      tar -C "$stage" -xpf -
    kernel=$(cd "$stage/boot" && ls vmlinuz-* | head -n 1)
    printf "%s\n" "${kernel#vmlinuz-}" > "$QX_WORK/image/kernel-version"
    cp "$stage/boot/$kernel" "$QX_WORK/image/vmlinuz"
    cp "$stage/boot/initrd.img-${kernel#vmlinuz-}" "$QX_WORK/image/initrd.img"
    truncate -s "${QX_IMAGE_GIB}G" "$QX_WORK/image/disk.raw"
    mkfs.ext4 -q -L root -d "$stage" "$QX_WORK/image/disk.raw"
    chmod 644 "$QX_WORK/image/vmlinuz" "$QX_WORK/image/initrd.img" "$QX_WORK/image/disk.raw" "$QX_WORK/image/kernel-version"
    rm -rf "$stage"' \
  "$SUITE" /dev/null "$MIRROR" >&2

say "converting the disk to qcow2"
qemu-img convert -O qcow2 "$work/image/disk.raw" "$work/image/disk.qcow2"
rm -f "$work/image/disk.raw"
kernel_version=$(cat "$work/image/kernel-version")
rm -f "$work/image/kernel-version"

cat > "$work/image/image.json" << EOF
{
  "format": 1,
  "name": "debian-12-local-$hash",
  "description": "Debian 12 ($SUITE) built by Quadraxis (npm run vm:image), recipe $hash",
  "hash": "$hash",
  "architecture": "x86_64",
  "disk": "disk.qcow2",
  "kernel": "vmlinuz",
  "initrd": "initrd.img",
  "cmdline": "$CMDLINE",
  "volumeSizeGiB": $IMAGE_GIB,
  "kernelVersion": "$kernel_version",
  "builtAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
EOF

rm -rf "$out"
mv "$work/image" "$out"
say "built in $(($(date +%s) - started)) s: $(du -sh "$out" | cut -f1) in $out"
echo "$out"
