#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks what promtool does not: deploy/prometheus/alerts.yml has exactly
the alert names of the contract, each with a severity of warning or critical,
a summary, a description and a runbook_url whose anchor is a heading of
docs/runbook.md (the exporter serves it at /runbook); no rule but those on
`up` names a job. Prints "<alertname> <severity>" per
alert for the routing test."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import runbook_anchors  # noqa: E402
CONTRACT = {
    "ConntrackTableNearlyFull", "ConntrackTableCritical",
    "ConntrackTableDroppingPackets", "ConntrackDroppingPacketsNotFull",
    "ConntrackTableFillingUp",
    "ConntrackInsertFailures", "ConntrackEarlyDrops",
    "ConntrackHashChainsLong", "ConntrackCollectorFailing",
    "ConntrackSNATPortsExhausted", "ConntrackTableFullOfAssured",
    "ConntrackExpectationTableNearlyFull", "ConntrackTableUnlimited",
    "ConntrackExporterDown", "ConntrackExporterTargetMissing",
}
# Built on `up`, the scrape of the exporter itself: only they name the job.
ON_UP = {"ConntrackExporterDown", "ConntrackExporterTargetMissing"}


def main():
    rules = (ROOT / "deploy/prometheus/alerts.yml").read_text()
    runbook = (ROOT / "docs/runbook.md").read_text()
    anchors = runbook_anchors.anchors(runbook)
    blocks = re.split(r"^\s*- alert: ", rules, flags=re.M)[1:]
    errors, seen = [], set()
    for block in blocks:
        name = block.split()[0]
        seen.add(name)
        sev = re.search(r"^\s*severity: (\S+)", block, re.M)
        if not sev or sev.group(1) not in ("warning", "critical"):
            errors.append(f"{name}: severity must be warning or critical")
        for key in ("summary", "description", "runbook_url"):
            if not re.search(rf"^\s*{key}: \S", block, re.M):
                errors.append(f"{name}: no {key}")
        url = re.search(r'runbook_url: .*/runbook#(\w+)', block)
        if not url or url.group(1) not in anchors:
            errors.append(f"{name}: runbook_url does not point at a heading of docs/runbook.md")
        expr = block.split("\n    labels:")[0]
        if name not in ON_UP and re.search(r"\bjob\s*=", expr):
            errors.append(f"{name}: selects on job")
        if sev:
            print(name, sev.group(1))
    if seen != CONTRACT:
        errors.append(f"alert names differ from the contract: missing {sorted(CONTRACT - seen)}, extra {sorted(seen - CONTRACT)}")
    for e in errors:
        print("FAIL", e, file=sys.stderr)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
