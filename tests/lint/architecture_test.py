#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The house as docs/architecture.md draws it, checked on the sources.

1. No include cycle between components (a header and its .cc are one).
2. Each folder includes only the folders below it (LAYERS).
3. The kernel is read by one component, the kernel view: paths under procfs
   and sysfs are built (Proc(), Sys(), SysctlPath()) and absolute kernel
   paths are written only in collectors/kernel/.
4. No source file over MAX_LINES lines.

usage: architecture_test.py [ROOT]
"""
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(__file__), "..", ".."))
MAX_LINES = 450

# folder -> the folders (and single headers) its files may include.
LAYERS = {
    "collectors/parse": ["collectors/parse"],
    "collectors/kernel": ["collectors/parse", "collectors/kernel"],
    "collectors/makeup": ["collectors/parse", "collectors/kernel",
                          "collectors/makeup"],
    "collectors": ["collectors"],
    # The HTTP layer serves paths; it knows nothing of conntrack.
    "exporter/http": ["exporter/http", "exporter/log.h", "exporter/text_format.h",
                      "collectors/families.h", "collectors/kernel/file_reader.h"],
    "exporter/flags": ["exporter/flags", "exporter/http/http_options.h",
                       "exporter/log.h", "collectors"],
    "exporter/doctor": ["exporter/doctor", "exporter/flags/flag_table.h",
                        "exporter/version.h", "collectors"],
    "exporter/status": ["exporter/status", "exporter/doctor", "exporter/http",
                        "collectors"],
    "exporter": ["exporter", "collectors"],
}
# Literal absolute paths outside the kernel view, and why.
OWN_PROCESS = {
    "exporter/process_metrics.cc": "/proc/self/",  # the exporter itself
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
BUILT = re.compile(r'\b(?:Proc|Sys|SysctlPath)\(\s*(?:[a-z_]+,\s*)?"([^"]*)"')


def sources():
    for top in ("collectors", "exporter"):
        for d, _, files in os.walk(os.path.join(ROOT, top)):
            for f in files:
                if f.endswith((".h", ".cc")):
                    path = os.path.relpath(os.path.join(d, f), ROOT)
                    with open(os.path.join(ROOT, path), encoding="utf-8") as fh:
                        yield path, fh.read()


def layer_of(path):
    folder = os.path.dirname(path)
    while folder not in LAYERS:
        folder = os.path.dirname(folder)
    return folder


def allowed(path, include):
    for a in LAYERS[layer_of(path)]:
        if include == a or include.startswith(a + "/"):
            return True
    return False


def find_cycle(graph):
    state, stack = {}, []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def main():
    failures = []
    files = dict(sources())
    graph = {}
    named = {}  # kernel file -> the files that build its path
    for path, text in files.items():
        component = os.path.splitext(path)[0]
        for inc in INCLUDE.findall(text):
            if not inc.startswith(("collectors/", "exporter/")):
                continue
            target = os.path.splitext(inc)[0]
            if target != component:
                graph.setdefault(component, set()).add(target)
            if not allowed(path, inc):
                failures.append(f"{path} includes {inc}: not allowed for "
                                f"{layer_of(path)}/ (see LAYERS)")
        in_view = path.startswith("collectors/kernel/")
        for name in BUILT.findall(text):
            if not in_view:
                failures.append(f"{path} builds the kernel path \"{name}\": "
                                "only the kernel view reads the kernel")
            named.setdefault(name, set()).add(path)
        for lit in LITERAL.findall(text):
            if not lit.startswith(("/proc", "/sys", "/dev/", "/run/")):
                continue
            own = OWN_PROCESS.get(path)
            if in_view or (own and lit.startswith(own)):
                continue
            failures.append(f"{path} names the kernel path \"{lit}\": only "
                            "the kernel view reads the kernel")
        lines = text.count("\n")
        if lines > MAX_LINES:
            failures.append(f"{path} has {lines} lines (at most {MAX_LINES}: "
                            "split it by concern)")
    cycle = find_cycle(graph)
    if cycle:
        failures.append("include cycle: " + " -> ".join(cycle))
    for f in failures:
        print("FAIL", f)
    print(f"{len(files)} files, {sum(len(v) for v in graph.values())} "
          f"include edges between components, {len(named)} kernel files "
          f"named in the view")
    if failures:
        print(f"architecture: {len(failures)} problem(s)")
        return 1
    print("architecture: the house holds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
