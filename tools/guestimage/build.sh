#!/usr/bin/env bash
# Build gostack's guest test image: a tiny CirrOS-like guest made from Debian
# packages only (the Debian kernel, busybox-static, dropbear), for booting real
# VMs under QEMU in tests.
#
#   tools/guestimage/build.sh [OUTDIR]
#
# OUTDIR defaults to a cache directory named after a hash of this script, the
# guest files under guest/ and the versions of every Debian package used:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/gostack/guestimage/<hash>
# A finished build there (or in OUTDIR) with the same hash is reused.  The
# script prints the output directory on its last line of stdout.
#
# Outputs (see README.md):
#   vmlinuz       the Debian kernel (bzImage)
#   vmlinux       the same kernel uncompressed (ELF, boots with QEMU -kernel via PVH)
#   initrd        busybox initramfs (cpio, gzip) with modules, dropbear and /init
#   disk.raw      bootable MBR disk: FAT partition with SYSLINUX, vmlinuz, initrd
#   disk.qcow2    the same disk as qcow2
#   cmdline       the kernel command line
#   manifest.json files, sizes, sha256, kernel version, command line
#
# Runs as root on Debian bookworm (apt-get installs missing host tools); it
# never installs a kernel on the host: guest packages are fetched with
# `apt-get download` and unpacked with `dpkg-deb -x` into a temporary directory.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Host tools (package: command).
HOST_PACKAGES=(
	"cpio:cpio"
	"gzip:gzip"
	"xz-utils:xz"
	"mtools:mcopy"
	"dosfstools:mkfs.vfat"
	"syslinux:syslinux"
	"syslinux-common:/usr/lib/syslinux/mbr/mbr.bin"
	"fdisk:sfdisk"
	"qemu-utils:qemu-img"
	"binutils:readelf"
)
# Guest packages besides the kernel; the libraries are dropbear's.
GUEST_PACKAGES=(busybox-static dropbear-bin libc6 libcrypt1 libtomcrypt1 libtommath1 libgmp10 zlib1g)
# Kernel modules the guest loads (their dependencies are added): virtio
# devices, the config drive on an IDE/SATA CD-ROM or a virtio disk (ISO 9660
# or VFAT), e1000 for hw_vif_model=e1000, and the ACPI power button.
MODULES=(
	virtio_pci virtio_blk virtio_net virtio_console virtio_scsi virtio_balloon virtio_rng
	e1000 ata_piix ahci sr_mod sd_mod isofs vfat nls_cp437 nls_ascii nls_utf8
	button evdev
)
CMDLINE="console=ttyS0 quiet"

log() { echo "guestimage: [${SECONDS}s] $*" >&2; }
die() {
	log "$*"
	exit 1
}

# --- host tools ----------------------------------------------------------
missing=()
for pc in "${HOST_PACKAGES[@]}"; do
	pkg=${pc%%:*} cmd=${pc#*:}
	if [[ $cmd == /* ]]; then
		[[ -e $cmd ]] || missing+=("$pkg")
	else
		command -v "$cmd" >/dev/null 2>&1 || [[ -x /usr/sbin/$cmd || -x /sbin/$cmd ]] || missing+=("$pkg")
	fi
done
export PATH=$PATH:/usr/sbin:/sbin
if ((${#missing[@]})); then
	[[ $(id -u) == 0 ]] || die "missing host packages (run as root): ${missing[*]}"
	log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
		{ apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
fi

# --- package versions and the build hash ----------------------------------
candidate() { apt-cache show --no-all-versions "$1" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1; }
if [[ -z $(candidate linux-image-amd64) ]]; then
	[[ $(id -u) == 0 ]] || die "apt has no package lists (run apt-get update as root)"
	apt-get update >&2
fi
kpkg=$(apt-cache show --no-all-versions linux-image-amd64 | sed -n 's/^Depends: //p' | head -n 1 |
	tr ',' '\n' | sed -n 's/^ *\(linux-image-[0-9][^ ]*-amd64\)\( .*\)\{0,1\}$/\1/p' | head -n 1)
[[ -n $kpkg ]] || die "cannot find the kernel package linux-image-amd64 depends on"
declare -A version=()
while read -r p v; do
	version[$p]=$v
done < <(apt-cache show --no-all-versions "$kpkg" "${GUEST_PACKAGES[@]}" 2>/dev/null |
	awk '/^Package: / {p = $2} /^Version: / {print p, $2}')
pins=()
for p in "$kpkg" "${GUEST_PACKAGES[@]}"; do
	[[ -n ${version[$p]:-} ]] || die "no candidate version for $p"
	pins+=("$p=${version[$p]}")
done
build_id=$(
	{
		cat "$HERE/build.sh" "$HERE"/guest/*
		printf '%s\n' "${pins[@]}" "$CMDLINE"
	} | sha256sum | cut -c1-16
)

out=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/gostack/guestimage/$build_id}
built() { [[ -f $out/manifest.json ]] && grep -q "\"build_id\": \"$build_id\"" "$out/manifest.json"; }
if built; then
	log "reusing $out"
	echo "$out"
	exit 0
fi
# One build at a time per output directory (test packages may run in parallel).
mkdir -p "$out"
exec 9>"$out/.lock"
flock 9
if built; then
	log "reusing $out"
	echo "$out"
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/guestimage.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"

# --- fetch and unpack --------------------------------------------------------
log "downloading ${pins[*]}"
mkdir -p "$work/debs" "$work/pkg"
(cd "$work/debs" && apt-get download -o APT::Sandbox::User=root "${pins[@]}" >&2)
for deb in "$work"/debs/*.deb; do
	dpkg-deb -x "$deb" "$work/pkg"
done
kver=${kpkg#linux-image-}
vmlinuz=$work/pkg/boot/vmlinuz-$kver
kconfig=$work/pkg/boot/config-$kver
moddir=$work/pkg/lib/modules/$kver
[[ -f $vmlinuz && -d $moddir ]] || die "kernel $kver not found in $kpkg"
grep -q '^CONFIG_PVH=y' "$kconfig" || log "warning: CONFIG_PVH is not set: vmlinux will not boot with QEMU -kernel"

log "unpacked kernel $kver"
mkdir -p "$work/out"
cp "$vmlinuz" "$work/out/vmlinuz"

# --- vmlinux: the kernel's scripts/extract-vmlinux, for the codecs we have -----
extract_vmlinux() { # bzImage output
	local magic tool off
	for pair in '\xfd7zXZ\x00:xz -dc' '\x1f\x8b\x08:gzip -dc' '\x28\xb5\x2f\xfd:zstd -dc' '\x02\x21\x4c\x18:lz4 -dc'; do
		magic=${pair%%:*} tool=${pair#*:}
		command -v "${tool%% *}" >/dev/null || continue
		for off in $(LC_ALL=C grep -obUaP "$magic" "$1" | cut -d: -f1); do
			tail -c "+$((off + 1))" "$1" | $tool >"$2" 2>/dev/null || true
			if [[ $(head -c 4 "$2" | od -An -tx1 | tr -d ' ') == 7f454c46 ]]; then
				return 0
			fi
		done
	done
	return 1
}
if extract_vmlinux "$vmlinuz" "$work/vmlinux.full"; then
	# The payload is vmlinux.bin followed by its relocations: keep the ELF only.
	read -r shoff shnum shentsize < <(readelf -hW "$work/vmlinux.full" | awk -F: '
		/Start of section headers/ {split($2, a, " "); o = a[1]}
		/Number of section headers/ {n = $2 + 0}
		/Size of section headers/ {split($2, a, " "); s = a[1]}
		END {print o, n, s}')
	head -c $((shoff + shnum * shentsize)) "$work/vmlinux.full" >"$work/out/vmlinux"
	rm -f "$work/vmlinux.full"
else
	log "warning: could not extract vmlinux from $vmlinuz"
fi

log "extracted vmlinux"

# --- initramfs ----------------------------------------------------------------
rd=$work/initrd
mkdir -p "$rd"/{bin,sbin,usr/bin,usr/sbin,etc/init.d,lib/modules,lib/x86_64-linux-gnu,lib64,dev,proc,sys,run,tmp,mnt,root,home/cirros,var/log}
ln -s ../run "$rd/var/run"
chmod 700 "$rd/root"
chmod 1777 "$rd/tmp"
cp "$work/pkg/bin/busybox" "$rd/bin/busybox"
"$rd/bin/busybox" --list-full | while read -r applet; do
	[[ -e $rd/$applet || -L $rd/$applet ]] || ln -s /bin/busybox "$rd/$applet"
done
ln -sf bin/busybox "$rd/init"

# Kernel modules, flat, with a load order: dependencies first.
declare -A kofile=() loaded=()
while read -r f; do
	name=${f##*/}
	name=${name%.ko}
	kofile[${name//-/_}]=$f
done < <(find "$moddir" -name '*.ko')
order=()
addmod() {
	local m=${1//-/_} dep deps
	[[ -n ${loaded[$m]:-} ]] && return 0
	[[ -n ${kofile[$m]:-} ]] || {
		grep -q "/$1.ko\$" "$moddir/modules.builtin" 2>/dev/null || log "warning: module $1 not found"
		return 0
	}
	loaded[$m]=1
	deps=$(tr '\0' '\n' <"${kofile[$m]}" | sed -n 's/^depends=//p' | head -n 1)
	for dep in ${deps//,/ }; do
		addmod "$dep"
	done
	order+=("$m")
}
for m in "${MODULES[@]}"; do
	addmod "$m"
done
# The signatures go: checking them costs time under TCG, and a module without
# one only taints a kernel that does not enforce them (CONFIG_MODULE_SIG_FORCE
# is off in Debian's).
grep -q '^CONFIG_MODULE_SIG_FORCE=y' "$kconfig" && sign=keep || sign=strip
marker='~Module signature appended~'
for m in "${order[@]}"; do
	dst=$rd/lib/modules/$m.ko
	cp "${kofile[$m]}" "$dst"
	echo "$m.ko" >>"$rd/lib/modules/load-order"
	size=$(stat -c %s "$dst")
	if [[ $sign == strip && $(tail -c 28 "$dst" | head -c 27) == "$marker" ]]; then
		# struct module_signature (12 bytes, sig_len big-endian last) precedes the marker.
		siglen=$((16#$(tail -c $((28 + 4)) "$dst" | head -c 4 | od -An -tx1 | tr -d ' \n')))
		truncate -s $((size - 28 - 12 - siglen)) "$dst"
	fi
done

# dropbear and the shared libraries it needs (from the downloaded packages).
cp "$work/pkg/usr/sbin/dropbear" "$rd/usr/sbin/"
cp "$work/pkg/usr/bin/dropbearkey" "$work/pkg/usr/bin/dbclient" "$rd/usr/bin/"
libdirs=("$work/pkg/lib/x86_64-linux-gnu" "$work/pkg/usr/lib/x86_64-linux-gnu")
copylibs() {
	local lib d found
	for lib in $(readelf -dW "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		[[ -e $rd/lib/x86_64-linux-gnu/$lib ]] && continue
		found=
		for d in "${libdirs[@]}"; do
			if [[ -e $d/$lib ]]; then
				cp -L "$d/$lib" "$rd/lib/x86_64-linux-gnu/$lib"
				found=1
				copylibs "$d/$lib"
				break
			fi
		done
		[[ -n $found ]] || die "$1 needs $lib, which no downloaded package has"
	done
}
for b in "$rd/usr/sbin/dropbear" "$rd/usr/bin/dropbearkey" "$rd/usr/bin/dbclient"; do
	copylibs "$b"
done
interp=$(readelf -lW "$rd/usr/sbin/dropbear" | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
cp -L "$work/pkg/lib/x86_64-linux-gnu/$(basename "$interp")" "$rd/lib/x86_64-linux-gnu/"
ln -s "/lib/x86_64-linux-gnu/$(basename "$interp")" "$rd$interp"

# /etc and the boot script.
install -m 755 "$HERE/guest/rcS" "$rd/etc/init.d/rcS"
install -m 755 "$HERE/guest/udhcpc.script" "$rd/etc/udhcpc.script"
install -m 644 "$HERE/guest/inittab" "$rd/etc/inittab"
# cirros is root's alias (uid 0), as Tempest logs in as cirros by default.
cat >"$rd/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
cirros:x:0:0:cirros:/home/cirros:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$rd/etc/shadow" <<'EOF'
root:*:19000:0:99999:7:::
cirros:*:19000:0:99999:7:::
nobody:*:19000:0:99999:7:::
EOF
chmod 600 "$rd/etc/shadow"
printf 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n' >"$rd/etc/group"
printf '/bin/sh\n/bin/ash\n' >"$rd/etc/shells"
printf 'export PATH=/usr/sbin:/usr/bin:/sbin:/bin\nexport PS1='"'"'\\h:\\w\\$ '"'"'\n' >"$rd/etc/profile"
echo gostack-guest >"$rd/etc/hostname"
printf '127.0.0.1 localhost\n' >"$rd/etc/hosts"
# Everyone is root already: sudo drops its options and runs the command.
cat >"$rd/usr/bin/sudo" <<'EOF'
#!/bin/sh
while [ $# -gt 0 ]; do
	case "$1" in
	-u | -g | -C | -h | -p) shift 2 ;;
	--) shift; break ;;
	-*) shift ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] && exec "$@"
EOF
chmod 755 "$rd/usr/bin/sudo"
install -m 755 "$HERE/guest/curl" "$rd/usr/bin/curl"
# busybox has no blkid applet here: findfs does what Tempest asks of it
rm -f "$rd/sbin/blkid"
install -m 755 "$HERE/guest/blkid" "$rd/sbin/blkid"
chmod 755 "$rd/home/cirros"

# The archive: files, then /dev/console, a character device written straight
# into a second cpio archive so that the build needs no mknod (the kernel
# reads concatenated archives).
newc() { # name mode rdevmajor rdevminor
	local name=$1 n
	n=$((${#name} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s\0' \
		1 "$2" 0 0 1 0 0 0 0 "$3" "$4" "$n" 0 "$name"
	# Header (110 bytes) + name is padded to a multiple of 4.
	local pad=$(((4 - (110 + n) % 4) % 4))
	head -c "$pad" /dev/zero
}
{
	(cd "$rd" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet)
	{
		newc dev/console $((8#20600)) 5 1
		newc TRAILER!!! 0 0 0
	}
} | gzip -9n >"$work/out/initrd"

echo "$CMDLINE" >"$work/out/cmdline"

log "made initrd"

# --- disk: MBR + one FAT partition with SYSLINUX, made without loop devices ---
part_mib=48
part=$work/part.img
truncate -s "${part_mib}M" "$part"
mkfs.vfat -n GOSTACK -i 60570000 "$part" >/dev/null
cat >"$work/syslinux.cfg" <<EOF
SERIAL 0 115200
DEFAULT gostack
PROMPT 0
TIMEOUT 0
LABEL gostack
  LINUX /vmlinuz
  INITRD /initrd
  APPEND $CMDLINE
EOF
export MTOOLS_SKIP_CHECK=1
mcopy -i "$part" "$work/out/vmlinuz" ::/vmlinuz
mcopy -i "$part" "$work/out/initrd" ::/initrd
mcopy -i "$part" "$work/syslinux.cfg" ::/syslinux.cfg
syslinux --install "$part"
disk=$work/out/disk.raw
truncate -s "$((part_mib + 1))M" "$disk"
printf 'label: dos\nlabel-id: 0x60570000\nstart=2048, type=c, bootable\n' | sfdisk --quiet "$disk" >/dev/null
dd if=/usr/lib/syslinux/mbr/mbr.bin of="$disk" bs=440 count=1 conv=notrunc status=none
dd if="$part" of="$disk" bs=1M seek=1 conv=notrunc status=none
rm -f "$part"
qemu-img convert -f raw -O qcow2 "$disk" "$work/out/disk.qcow2"

# --- manifest ---------------------------------------------------------------
{
	echo "{"
	echo "  \"build_id\": \"$build_id\","
	echo "  \"kernel_version\": \"$kver\","
	echo "  \"kernel_package\": \"$kpkg\","
	echo "  \"cmdline\": \"$CMDLINE\","
	echo "  \"min_ram_mib\": 96,"
	echo "  \"packages\": ["
	sep=
	for p in "${pins[@]}"; do
		printf '%s    "%s"' "$sep" "$p"
		sep=$',\n'
	done
	printf '\n  ],\n'
	echo "  \"files\": {"
	sep=
	for f in vmlinuz vmlinux initrd disk.raw disk.qcow2 cmdline; do
		[[ -f $work/out/$f ]] || continue
		printf '%s    "%s": {"size": %d, "sha256": "%s"}' "$sep" "$f" \
			"$(stat -c %s "$work/out/$f")" "$(sha256sum "$work/out/$f" | cut -d' ' -f1)"
		sep=$',\n'
	done
	printf '\n  }\n}\n'
} >"$work/out/manifest.json"

mkdir -p "$out"
for f in "$work"/out/*; do
	[[ $(basename "$f") == manifest.json ]] && continue
	mv -f "$f" "$out/"
done
mv -f "$work/out/manifest.json" "$out/manifest.json"
log "built $out"
echo "$out"
