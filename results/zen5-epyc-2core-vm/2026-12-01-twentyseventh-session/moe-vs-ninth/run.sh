#!/bin/bash
# The ninth session's binary (03ac3f8, before huge pages) against this session's, on issue
# #13's T = 512 cases and two dense GEMMs, oneDNN in each case; turns old, new with
# --no-hugepages (what old did), new as shipped (huge pages, ours and oneDNN's), rotated.
# Usage: OLD=... NEW=... run.sh [TURNS]
cd "$(dirname "$0")"
for r in $(seq 1 ${1:-3}); do
  for side in old new4k new; do
    case $side in
      old) $OLD bench --batch cases.txt --no-cold --reps 3 --out old.$r.json > old.$r.txt 2>&1 ;;
      new4k) $NEW bench --batch cases.txt --no-cold --reps 3 --no-hugepages --out new4k.$r.json > new4k.$r.txt 2>&1 ;;
      new) $NEW bench --batch cases.txt --no-cold --reps 3 --out new.$r.json > new.$r.txt 2>&1 ;;
    esac
  done
done
