#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Renders docs/runbook.md as the HTML page the exporter serves at /runbook,
written as a C++ header (kRunbookHtml), so that an alert's runbook_url opens
on any host that runs the exporter, air-gapped too. Heading ids follow
GitHub's (lower case, punctuation dropped, spaces to dashes), so
runbook.md#conntracktablecritical and /runbook#conntracktablecritical name
the same section.

usage: render_runbook.py RUNBOOK.md OUT.h
Needs python3-markdown (Debian's package).
"""
import sys

import markdown

from runbook_anchors import github_slug

STYLE = """body{font:15px/1.5 system-ui,sans-serif;max-width:60em;margin:1em auto;padding:0 1em;color:#222}
pre{background:#f4f4f4;padding:.6em;overflow-x:auto}code{font-size:90%}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}
h2{border-top:1px solid #ddd;padding-top:.6em}"""


def main():
    source, out = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as f:
        body = markdown.markdown(
            f.read(), extensions=["fenced_code", "tables", "toc"],
            extension_configs={"toc": {"slugify": github_slug}})
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width\">"
            f"<title>Conntrack runbook</title><style>{STYLE}</style></head>"
            f"<body>\n{body}\n</body></html>\n")
    delimiter = "nfce_runbook"
    if f"){delimiter}\"" in page:
        sys.exit(f"{source} contains the raw string's end ){delimiter}\"")
    with open(out, "w", encoding="utf-8") as f:
        f.write("// Generated from docs/runbook.md by scripts/render_runbook.py.\n"
                "#pragma once\n\nnamespace nfce {\n\n"
                f"inline constexpr char kRunbookHtml[] = R\"{delimiter}({page}){delimiter}\";\n\n"
                "}  // namespace nfce\n")


if __name__ == "__main__":
    main()
