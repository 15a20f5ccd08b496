#!/usr/bin/python3
"""The library's layering (issue: CLI11 compiled into the library; decode and encode
including each other). Checks every file of libts/:

- no file outside libts/cli includes cli/ or CLI11 (tools bind options; the library does not);
- the folders' include graph has no cycle (a folder including another is an edge).

Prints each violation and "N passed, M failed"; exits 1 on any violation.
"""
import os
import re
import sys

root = os.path.join(sys.argv[1] if len(sys.argv) > 1 else ".", "libts")
edges = {}
passed = failed = 0
for folder in sorted(os.listdir(root)):
    path = os.path.join(root, folder)
    if not os.path.isdir(path):
        continue
    for name in sorted(os.listdir(path)):
        if not name.endswith((".cpp", ".hpp")):
            continue
        for n, line in enumerate(open(os.path.join(path, name), encoding="utf-8"), 1):
            m = re.match(r'\s*#\s*include\s*[<"]([^>"]+)[>"]', line)
            if not m:
                continue
            target = m.group(1)
            if folder != "cli" and (target.startswith("cli/") or target.startswith("CLI/")):
                print(f"FAIL: libts/{folder}/{name}:{n} includes {target}")
                failed += 1
            top = target.split("/")[0]
            if "/" in target and top != folder and os.path.isdir(os.path.join(root, top)):
                edges.setdefault(folder, {}).setdefault(top, f"libts/{folder}/{name}:{n}")
passed += failed == 0
cli_failed = failed

# Cycles: depth-first search, each one reported with the includes that make it.
state = {}
def visit(node, stack):
    global failed
    state[node] = 1
    for nxt, where in sorted(edges.get(node, {}).items()):
        if state.get(nxt) == 1:
            cycle = stack[stack.index(nxt):] + [nxt] if nxt in stack else [node, nxt]
            print("FAIL: folder cycle " + " -> ".join(cycle) + f" (e.g. {where})")
            failed += 1
        elif state.get(nxt) is None:
            visit(nxt, stack + [nxt])
    state[node] = 2
for folder in sorted(edges):
    if state.get(folder) is None:
        visit(folder, [folder])
passed += failed == cli_failed
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
