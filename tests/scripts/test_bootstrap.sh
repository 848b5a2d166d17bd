#!/usr/bin/env bash
# scripts/bootstrap.sh's choice of packages, run against fake dpkg-query, apt-cache, apt-get
# and id on PATH (nothing is installed). Every required package is present; of the optional
# ones, qemu-user is offered, munge is known with no candidate, and the rest are installed.
# The fake apt-cache writes its policy in two parts with a pause between, as the real one
# can: a `apt-cache policy | grep -q` under pipefail then fails by SIGPIPE, and until the
# thirty-fifth session that made every optional package look unavailable on a fresh
# machine, so qemu-user was never installed and the Haswell test always skipped.
set -euo pipefail
root=${1:?usage: test_bootstrap.sh REPO_ROOT}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fake=$work/bin
mkdir -p "$fake"

cat >"$fake/dpkg-query" <<'EOF'
#!/usr/bin/env bash
# Every package installed but qemu-user and munge.
case "${!#}" in qemu-user | munge) exit 1 ;; *) printf 'install ok installed' ;; esac
EOF
cat >"$fake/apt-cache" <<'EOF'
#!/usr/bin/env bash
[ "$1" = policy ] || exit 2
candidate='1:7.2+dfsg-7'
[ "$2" = munge ] && candidate='(none)'
printf '%s:\n  Installed: (none)\n  Candidate: %s\n' "$2" "$candidate"
sleep 0.2  # the version table comes later, after grep -q may have left
for i in $(seq 1 50); do printf '     500 http://deb.debian.org/debian bookworm/main amd64 Packages %d\n' "$i"; done
EOF
cat >"$fake/apt-get" <<'EOF'
#!/usr/bin/env bash
echo "apt-get $*" >>"$APT_LOG"
EOF
cat >"$fake/id" <<'EOF'
#!/usr/bin/env bash
echo 0
EOF
chmod +x "$fake"/*

export APT_LOG=$work/apt.log
: >"$APT_LOG"
out=$(PATH="$fake:$PATH" bash "$root/scripts/bootstrap.sh" 2>&1) || {
  echo "FAIL: bootstrap exited non-zero:"; echo "$out"; exit 1
}
echo "$out"
fail=0
if ! grep -q -- '^apt-get install .*qemu-user' "$APT_LOG"; then
  echo "FAIL: qemu-user is offered but was not installed; apt-get calls:"; cat "$APT_LOG"; fail=1
fi
if grep -q -- '^apt-get install .*munge' "$APT_LOG"; then
  echo "FAIL: munge has no candidate but apt-get was asked to install it"; fail=1
fi
if ! grep -q 'optional munge not in the package lists' <<<"$out"; then
  echo "FAIL: munge (no candidate) was not reported as unavailable"; fail=1
fi
[ "$fail" -eq 0 ] && echo "PASS"
exit "$fail"
