#!/usr/bin/env bash
# The shared libraries an executable needs, as the loader resolves them in a clean
# environment (no LD_LIBRARY_PATH), without glibc's own (libc, libm, libpthread, libdl,
# librt, libresolv, libutil, the loader, the vDSO): what a relocatable bundle must carry
# (scripts/bundle_build.sh) and must find inside itself (scripts/bundle_check.sh).
# One line per library: "SONAME PATH", or "SONAME not-found". Exit 1 when ldd fails.
#
#   scripts/needed_libs.sh EXECUTABLE
set -uo pipefail
exe=${1:?usage: $0 EXECUTABLE}
command -v ldd >/dev/null || { echo "needed_libs: ldd not found" >&2; exit 1; }
listing=$(env -i PATH=/usr/bin:/bin ldd "$exe" 2>&1) || { echo "needed_libs: ldd $exe: $listing" >&2; exit 1; }
# "libfoo.so.1 => /path/libfoo.so.1 (0x...)", "libfoo.so.1 => not found", or no arrow
# (the vDSO, the loader itself).
printf '%s\n' "$listing" | while read -r name arrow path _; do
  [ "$arrow" = "=>" ] || continue
  case "$name" in
    libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | librt.so.* | libresolv.so.* | libutil.so.* | \
      ld-linux*.so.* | linux-vdso.so.*) continue ;;
  esac
  if [ "$path" = "not" ]; then echo "$name not-found"; else echo "$name $path"; fi
done
