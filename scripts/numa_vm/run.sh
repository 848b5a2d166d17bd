#!/usr/bin/env bash
# The real two-node NUMA test (issue #7): boots a minimal Linux VM under QEMU system
# emulation with two NUMA nodes (one CPU and 512 MiB each), runs the statically linked
# test binary (target numa_vm_test) as its init process, reads the results from the
# serial console, and exits non-zero on any FAIL line or when the run did not finish.
#
#   scripts/numa_vm/run.sh --binary build/release/harness/numa/numa_vm_test
#
# Options: --binary PATH (or $AMXLAB_NUMA_VM_BINARY), --kernel PATH (or
# $AMXLAB_NUMA_VM_KERNEL; default: the newest /boot/vmlinuz-*), --timeout SECONDS
# (default 240), --log PATH (keep the full serial log there), --verbose (also print
# the JSON verification reports). $AMXLAB_NUMA_VM_ACCEL picks QEMU's accelerator
# (default tcg: software emulation, no KVM needed).
#
# Prints "SKIPPED: <reason>" and exits 77 (CTest's skip code for `numa_vm`) only when
# qemu-system-x86_64 or a kernel image cannot be found (Debian packages qemu-system-x86 and linux-image-amd64). Everything
# else that goes wrong is a failure. The initramfs is written by this script (cpio
# "newc" format, uncompressed): no cpio, gzip or busybox needed.
set -euo pipefail

binary="${AMXLAB_NUMA_VM_BINARY:-}"
kernel="${AMXLAB_NUMA_VM_KERNEL:-}"
timeout_s=240
log_keep=""
verbose=0
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary="$2"; shift 2 ;;
    --kernel) kernel="$2"; shift 2 ;;
    --timeout) timeout_s="$2"; shift 2 ;;
    --log) log_keep="$2"; shift 2 ;;
    --verbose) verbose=1; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "numa_vm: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

# A skip is its exit code, not the text: the VM's console, echoed on a failure, could say
# "SKIPPED:" too.
skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "numa_vm: FAIL: $*" >&2; exit 1; }

qemu="$(command -v qemu-system-x86_64 || true)"
[ -n "$qemu" ] || skip "qemu-system-x86_64 not found (install the Debian package qemu-system-x86)"
if [ -z "$kernel" ]; then
  kernel="$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -n "$kernel" ] || skip "no kernel image /boot/vmlinuz-* (install the Debian package linux-image-amd64)"
fi
[ -f "$kernel" ] || skip "kernel image $kernel not found"
[ -r "$kernel" ] || skip "kernel image $kernel is not readable by $(id -un)"

[ -n "$binary" ] || fail "no test binary given (--binary PATH, built by the target numa_vm_test)"
[ -x "$binary" ] || fail "test binary $binary does not exist or is not executable (build the target numa_vm_test)"
# The headers read whole, then matched: `readelf | grep -q` under pipefail can fail by SIGPIPE.
if command -v readelf >/dev/null && grep -q "Requesting program interpreter" <<<"$(readelf -l "$binary" 2>/dev/null)"; then
  fail "$binary is dynamically linked; the VM has no libraries (build it with -static)"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/amxlab-numa-vm.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# --- initramfs: /dev /proc /sys and /init = the test binary (cpio newc, uncompressed) ---
ino=1
cpio_entry() {  # name mode(octal) [file]
  local name="$1" mode=$((8#$2)) file="${3:-}" size=0 namesize pad
  [ -n "$file" ] && size=$(stat -c %s "$file")
  namesize=$(( ${#name} + 1 ))
  printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
    "$ino" "$mode" 0 0 1 0 "$size" 0 0 0 0 "$namesize" 0
  printf '%s\0' "$name"
  pad=$(( (4 - (110 + namesize) % 4) % 4 ))
  head -c "$pad" /dev/zero
  if [ -n "$file" ]; then
    cat "$file"
    head -c $(( (4 - size % 4) % 4 )) /dev/zero
  fi
  ino=$((ino + 1))
}
{
  cpio_entry dev 40755
  cpio_entry proc 40555
  cpio_entry sys 40555
  cpio_entry init 100755 "$binary"
  cpio_entry 'TRAILER!!!' 0
} > "$work/initramfs.cpio"

# --- boot: two nodes, one CPU and 512 MiB each ---
log="$work/serial.log"
accel="${AMXLAB_NUMA_VM_ACCEL:-tcg}"
echo "numa_vm: booting $(basename "$kernel") under $(basename "$qemu") (accel=$accel), 2 NUMA nodes x (1 CPU, 512 MiB)"
start=$(date +%s.%N)
set +e
timeout "$timeout_s" "$qemu" \
  -machine pc -accel "$accel" -smp 2 -m 1G \
  -object memory-backend-ram,id=m0,size=512M -object memory-backend-ram,id=m1,size=512M \
  -numa node,nodeid=0,cpus=0,memdev=m0 -numa node,nodeid=1,cpus=1,memdev=m1 \
  -nographic -no-reboot -nic none \
  -kernel "$kernel" -initrd "$work/initramfs.cpio" \
  -append "console=ttyS0 panic=-1 quiet" </dev/null >"$log" 2>&1
qemu_rc=$?
set -e
elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
# Plain lines: no carriage returns, no terminal escapes (SeaBIOS clears the screen
# just before the kernel starts, which would prefix the first line of the test).
tr -d '\r' < "$log" | sed -E 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1b[A-Za-z]//g' > "$log.txt"
[ -z "$log_keep" ] || cp "$log.txt" "$log_keep"

grep -E '^(PASS|FAIL|SKIP|NUMA-VM-TEST)' "$log.txt" || true
[ "$verbose" = 0 ] || grep -E '^JSON ' "$log.txt" || true
echo "numa_vm: VM ran ${elapsed} s (qemu exit status $qemu_rc)"

show_tail() { echo "--- last lines of the serial console ---" >&2; tail -n 40 "$log.txt" >&2; }
if [ "$qemu_rc" -eq 124 ]; then
  show_tail; fail "the VM did not finish within ${timeout_s} s"
fi
if ! grep -q '^NUMA-VM-TEST: DONE' "$log.txt"; then
  show_tail; fail "the test binary did not report DONE (qemu exit status $qemu_rc)"
fi
failed=$(grep -c '^FAIL' "$log.txt" || true)
# The binary's own count too (a FAIL glued to a console line would escape the grep).
reported=$(sed -n 's/^NUMA-VM-TEST: DONE .*failed=\([0-9]*\).*/\1/p' "$log.txt" | tail -n 1)
if [ "${reported:-0}" -gt "$failed" ]; then failed=$reported; fi
passed=$(grep -c '^PASS' "$log.txt" || true)
if [ "$failed" -gt 0 ]; then
  fail "$failed check(s) failed in the two-node VM"
fi
[ "$passed" -gt 0 ] || fail "no check passed"
echo "numa_vm: all $passed checks passed on two NUMA nodes"
