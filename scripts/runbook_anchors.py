# SPDX-License-Identifier: Apache-2.0
"""The ids of docs/runbook.md's headings, as GitHub gives them and as the
exporter's /runbook gives them (scripts/render_runbook.py): one rule for the
page, the alerts' runbook_url, the dashboard's links and the runbook's own
links, so that a check and the page cannot disagree."""
import html
import re


def github_slug(text, separator="-"):
    """GitHub's id for a heading: lower case, punctuation dropped, spaces
    to dashes. Takes the heading's text or its HTML (inline code arrives as
    markup from python-markdown)."""
    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(text).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", separator)


def anchors(markdown_text):
    """The ids of every heading, outside fenced code (where '# ...' is a
    shell comment)."""
    ids, in_fence = set(), False
    for line in markdown_text.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        elif not in_fence:
            m = re.match(r"#{1,6} (.+)", line)
            if m:
                ids.add(github_slug(m.group(1)))
    return ids
