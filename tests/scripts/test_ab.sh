#!/usr/bin/env bash
# scripts/ab.sh end to end, on revisions made here in a throwaway clone of this repository
# (CTest `ab_revisions`, label long: two builds of amxlab from nothing, through ccache when
# it is installed - then mostly cache hits of the suite's own build/release - and
# incremental ones):
#  1. the working tree against HEAD, nothing changed: exit 0, no moved bit, the turns
#     interleaved (a.1 b.1 b.2 a.2 ...: checked in order.txt and ab.json); the same with
#     a model manifest (tiny-moe, MoE cases included) as the sweep;
#  2. a GEMV slowed by a busy loop in the working tree: exit 1, "slower" reported;
#  3. a kernel whose output moves by one bit: exit 1, "MOVED" reported;
#  4. a base revision that does not compile: exit 3, the compiler's error shown;
#  5. a dirty base worktree: refused (exit 3);
#  6. usage errors and refused sweep flags before the base is built.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd -P)
git -C "$repo" rev-parse HEAD >/dev/null 2>&1 || { echo "SKIP: $repo is not a git checkout"; exit 77; }
tmp=$(mktemp -d)
trap 'git -C "$repo" worktree prune; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

git clone -q --no-hardlinks "$repo" "$tmp/repo" || fail "clone"
cd "$tmp/repo" || exit 1
git config user.email ab-test@amxlab.invalid && git config user.name "ab test"
export AMXLAB_AB_CACHE="$tmp/cache"
sweep=(--rounds 5 --type q8_0 --m 1 --n 1024 --k 1024 --threads 1)
cmake --preset release >/dev/null 2>&1 -DAMXLAB_BUILD_TESTS=OFF || fail "configure the clone"

# 1. HEAD against HEAD.
scripts/ab.sh HEAD "${sweep[@]}" --threshold 50 --out "$tmp/ab1" >"$tmp/ab1.log" 2>&1
rc=$?
cat "$tmp/ab1.log"
[ "$rc" -eq 0 ] || fail "HEAD vs HEAD: exit $rc"
grep -q "identical" "$tmp/ab1.log" || fail "HEAD vs HEAD: bits not reported identical"
[ "$(tr '\n' ' ' <"$tmp/ab1/order.txt")" = "a.1 b.1 b.2 a.2 a.3 b.3 b.4 a.4 a.5 b.5 " ] || fail "turn order: $(cat "$tmp/ab1/order.txt")"
python3 -c "import json,sys; j=json.load(open('$tmp/ab1/ab.json')); sys.exit(0 if j['interleaving']['ok'] and j['pass'] else 1)" ||
  fail "ab.json does not record a verified interleaving"

# 1b. A model manifest as the sweep (the base binary is cached now: no build).
scripts/ab.sh HEAD --rounds 2 --threshold 50 --manifest tiny-moe --layers 1 --threads 1 --out "$tmp/ab1b" >"$tmp/ab1b.log" 2>&1
rc=$?
cat "$tmp/ab1b.log"
[ "$rc" -eq 0 ] || fail "manifest sweep: exit $rc"
[ "$(grep -c . "$tmp/ab1b/cases.txt")" -ge 2 ] || fail "manifest sweep: no cases listed"
grep -q "e[0-9]*top[0-9]*t1n" "$tmp/ab1b/cases.txt" || fail "manifest sweep: no MoE case among $(cat "$tmp/ab1b/cases.txt")"

# 2. A slowed GEMV (a busy loop per call) in the working tree.
run_line='  fn(g);'
grep -q "^$run_line\$" kernels/vnni/vnni_kernels.cpp || fail "fixture: the run line moved in vnni_kernels.cpp"
# (an empty asm with a memory clobber keeps the loop; CI builds with -Werror)
sed -i "s|^$run_line\$|  for (int spin = 0; spin < 400000; ++spin) {\\n    __asm__ __volatile__(\"\" ::: \"memory\");\\n  }\\n$run_line|" kernels/vnni/vnni_kernels.cpp
scripts/ab.sh HEAD "${sweep[@]}" --out "$tmp/ab2" >"$tmp/ab2.log" 2>&1
rc=$?
cat "$tmp/ab2.log"
[ "$rc" -eq 1 ] || fail "slowed kernel: exit $rc (want 1)"
grep -q "slower by" "$tmp/ab2.log" || fail "slowed kernel: no slowdown reported"
git checkout -q kernels/vnni/vnni_kernels.cpp

# 3. One output bit moved (the lowest mantissa bit of y[0][0] of every q8_0 GEMV slice).
sed -i "s|^$run_line\$|$run_line\\n  if (s.m0 == 0 \&\& s.n0 == 0 \&\& y.data != nullptr) {\\n    uint32_t bits;\\n    std::memcpy(\&bits, y.data, 4);\\n    bits ^= 1u;\\n    std::memcpy(y.data, \&bits, 4);\\n  }|" kernels/vnni/vnni_kernels.cpp
grep -q "^#include <cstring>" kernels/vnni/vnni_kernels.cpp || sed -i '0,/^#include/s//#include <cstring>\n#include/' kernels/vnni/vnni_kernels.cpp
scripts/ab.sh HEAD "${sweep[@]}" --threshold 50 --out "$tmp/ab3" >"$tmp/ab3.log" 2>&1
rc=$?
cat "$tmp/ab3.log"
[ "$rc" -eq 1 ] || fail "moved bit: exit $rc (want 1)"
grep -q "MOVED" "$tmp/ab3.log" || fail "moved bit: not reported"
git checkout -q kernels/vnni/vnni_kernels.cpp

# 4. A base that does not compile.
echo "this is not C++;" >>kernels/vnni/vnni_kernels.cpp
git commit -qam "fixture: a revision that does not build"
broken=$(git rev-parse HEAD)
git checkout -q HEAD~1 -- kernels/vnni/vnni_kernels.cpp && git commit -qam "fixture: fixed again"
scripts/ab.sh "$broken" "${sweep[@]}" --out "$tmp/ab4" >"$tmp/ab4.log" 2>&1
rc=$?
cat "$tmp/ab4.log"
[ "$rc" -eq 3 ] || fail "broken base: exit $rc (want 3)"
grep -q "does not build" "$tmp/ab4.log" && grep -q "vnni_kernels.cpp.*error" "$tmp/ab4.log" ||
  fail "broken base: the build error is not shown"

# 5. A base worktree with local changes is refused (a base not built yet: a cached
# binary needs no checkout, so the worktree is not looked at then).
echo "// local edit" >>"$AMXLAB_AB_CACHE/worktree/README.md"
git commit -q --allow-empty -m "fixture: a base not built yet"
scripts/ab.sh HEAD "${sweep[@]}" --out "$tmp/ab5" >"$tmp/ab5.log" 2>&1
rc=$?
cat "$tmp/ab5.log"
[ "$rc" -eq 3 ] || fail "dirty base worktree: exit $rc (want 3)"
grep -q "has local changes" "$tmp/ab5.log" || fail "dirty base worktree: no reason given"
# 6. Usage errors come before any build of the base: a revision that is not one, model
# flags without --manifest, a threshold given as a fraction, sweep flags amxlab refuses
# (checked by the working tree's amxlab, built first; no base binary appears).
git commit -q --allow-empty -m "fixture: a base never built"
unbuilt=$(git rev-parse HEAD)
for args in "no-such-revision:3:is not a commit" "HEAD --recipe q4_0:2:give --manifest" \
  "HEAD --threshold 0.05:2:is a percentage" "HEAD --rounds 2 --type nope:2:not accepted"; do
  IFS=: read -r a want says <<<"$args"
  # shellcheck disable=SC2086
  out=$(scripts/ab.sh $a --out "$tmp/ab6" 2>&1)
  rc=$?
  [ "$rc" -eq "$want" ] || fail "ab.sh $a: exit $rc (want $want): $out"
  grep -q -- "$says" <<<"$out" || fail "ab.sh $a: '$says' not said: $out"
  [ ! -e "$AMXLAB_AB_CACHE/bin/$unbuilt/amxlab" ] || fail "ab.sh $a built the base before refusing"
done
echo "PASS: ab.sh: HEAD vs HEAD passes interleaved; slowdown, moved bit, broken base and dirty base detected; usage errors before building"
