#!/usr/bin/env python3
"""kernels/ADDING_A_KERNEL.md names files, commands and flags; each must still exist.

  test_guide_references.py REPO AMXLAB_BINARY

Checked: every backticked or command-line path under kernels/, reference/, harness/,
tests/, scripts/ exists (a trailing `(...)`/`::` symbol is ignored); every
`amxlab <command> --flag` in the guide is a command whose --help lists that flag; every
`scripts/ab.sh ... --flag` is a flag ab.sh's header documents; every kernel name of the
registry form it uses is in `amxlab info`.
"""
import re
import subprocess
import sys

repo, amxlab = sys.argv[1], sys.argv[2]
guide_path = f"{repo}/kernels/ADDING_A_KERNEL.md"
text = open(guide_path).read()
errors = []

paths = set(re.findall(r"(?<![\w/.])((?:kernels|reference|harness|tests|scripts)/[\w./-]+\.(?:h|cpp|cmake|md|sh|py))", text))
for p in sorted(paths):
    try:
        open(f"{repo}/{p}").close()
    except OSError:
        errors.append(f"file {p} does not exist")



def has_flag(flag, text):
    """`flag` as a whole word of `text`: "--k" is not in a help that only has "--kernel"."""
    return text is not None and re.search(r"(?<![\w-])" + re.escape(flag) + r"(?![\w-])", text) is not None


helps = {}
for line in text.splitlines():
    m = re.search(r"amxlab (\w[\w-]*)(.*)", line)
    if m and "harness/cli/amxlab" in line:
        cmd, rest = m.group(1), m.group(2)
        if cmd not in helps:
            r = subprocess.run([amxlab, cmd, "--help"], capture_output=True, text=True)
            helps[cmd] = r.stdout if r.returncode == 0 else None
        if helps[cmd] is None:
            errors.append(f"amxlab {cmd}: no such command")
            continue
        for flag in re.findall(r"(?<![\w-])(--[a-z][\w-]*)", rest):
            if not has_flag(flag, helps[cmd]):
                errors.append(f"amxlab {cmd} {flag}: not in its --help")

ab_doc = open(f"{repo}/scripts/ab.sh").read().split("\nset ")[0]
for line in text.splitlines():
    if "scripts/ab.sh" in line:
        for flag in re.findall(r"(?<![\w-])(--[a-z][\w-]*)", line.split("#")[0]):
            if not has_flag(flag, ab_doc) and not has_flag(flag, helps.get("bench")):
                errors.append(f"scripts/ab.sh {flag}: neither an ab.sh option nor a bench flag")

info = subprocess.run([amxlab, "info"], capture_output=True, text=True).stdout
for k in sorted(set(re.findall(r"\b([a-z0-9]+_(?:gemv|gemm)_\d+x\d+__[a-z0-9_]+)\b", text))):
    if k not in info:
        errors.append(f"kernel {k} is not in amxlab info")

if errors:
    print(f"{guide_path}: {len(errors)} stale reference(s):")
    for e in errors:
        print("  " + e)
    sys.exit(1)
print(f"{guide_path}: {len(paths)} files, {len(helps)} amxlab commands, flags and kernels all exist")
