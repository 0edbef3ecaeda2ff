# SPDX-License-Identifier: Apache-2.0
"""Top lists past the sketch's capacity, on the real kernel: fills this
network namespace's table with a make-up whose truth it knows, then checks
the doctor's JSON and text against it. Run inside a private namespace (the
table is filled with conntrack -I); used by tests/e2e/top_lists_test.sh and
tests/bench/top_lists.sh.

usage: top_lists.py fill MAKEUP ENTRIES SOURCES TRUTH.json
       top_lists.py check MAKEUP TRUTH.json DOCTOR.json DOCTOR.txt
MAKEUP: uniform (every source alike), heavy (30 % from one address, half of
it answered; every other entry unreplied) or snat (source-NATed entries:
one tuple with 20 % of them, at most 60,000, as its ports in use, the rest
spread over ENTRIES / 5 tuples; SOURCES unused).
"""
import json
import subprocess
import sys

HEAVY = "10.9.9.9"
NAT = "192.0.2.1"  # the address every tuple leaves with
HEAVY_TUPLE = ("10.201.0.53", "53")  # its destination and port


def light_address(i):
    return f"10.{20 + i // 65536}.{i // 256 % 256}.{i % 256}"


def fill(makeup, entries, sources, truth_path):
    heavy = entries * 3 // 10 if makeup == "heavy" else 0
    truth = {"entries": entries, "sources": {}, "unreplied": {}}
    lines = []
    # One server port per 60,000 entries of a source keeps every tuple
    # distinct (source port 1024-61023).
    for j in range(heavy):
        answered = j % 2 == 0
        lines.append(
            f"-I -s {HEAVY} -d 10.201.0.1 -p tcp --sport {1024 + j % 60000} "
            f"--dport {80 + j // 60000} --state ESTABLISHED -t 86400"
            f"{' -u SEEN_REPLY' if answered else ''}\n")
    if heavy:
        truth["sources"][HEAVY] = heavy
        truth["unreplied"][HEAVY] = heavy - (heavy + 1) // 2
    light = entries - heavy
    for j in range(light):
        i = j % sources
        k = j // sources
        lines.append(
            f"-I -s {light_address(i)} -d 10.201.0.2 -p tcp "
            f"--sport {1024 + k % 60000} --dport {80 + k // 60000} "
            f"--state ESTABLISHED -t 86400\n")
    for i in range(min(sources, light)):
        n = light // sources + (1 if i < light % sources else 0)
        truth["sources"][light_address(i)] = n
        truth["unreplied"][light_address(i)] = n
    insert(lines, entries)
    json.dump(truth, open(truth_path, "w"))


def fill_snat(entries, truth_path):
    """Each source-NATed entry holds one port of its tuple (NAT address,
    destination, port, protocol): ports from 1024 up, one per entry."""
    heavy = min(entries // 5, 60000)  # a port range holds at most 64,512
    tuples = {HEAVY_TUPLE: heavy}
    light = entries - heavy
    count = max(1, entries // 5)
    for j in range(light):
        t = (f"10.{40 + j % count // 65536}.{j % count // 256 % 256}.{j % count % 256}", "53")
        tuples[t] = tuples.get(t, 0) + 1
    lines = []
    for (dest, port), n in tuples.items():
        for k in range(n):
            lines.append(
                f"-I -s 10.8.{k // 60000}.1 -d {dest} -p udp --sport {1024 + k % 60000} "
                f"--dport {port} -t 3600 --src-nat {NAT}:{1024 + k}\n")
    insert(lines, entries)
    json.dump({"entries": entries,
               "tuples": {f"{d}/{p}": n for (d, p), n in tuples.items()}},
              open(truth_path, "w"))


def insert(lines, entries):
    # conntrack -R in pieces: one process of millions of lines holds them all.
    for start in range(0, len(lines), 200000):
        subprocess.run(["conntrack", "-R", "-"],
                       input="".join(lines[start:start + 200000]), text=True,
                       check=True, stderr=subprocess.DEVNULL)
    got = int(subprocess.run(["conntrack", "-C"], capture_output=True,
                             text=True, check=True).stdout)
    if got != entries:
        sys.exit(f"table holds {got} entries, wanted {entries}")


def check_snat(truth, m, text):
    bounds = m["top_bounds"]["snat"]
    assert not bounds["exact"] and len(truth["tuples"]) > bounds["counters"], bounds
    items = m["top_snat"]
    for t in items:
        assert t["nat_address"] == NAT, t
        n = truth["tuples"][f"{t['address']}/{t['port']}"]
        assert t["entries"] - t["error"] <= n <= t["entries"], (t, n)
    listed = {f"{t['address']}/{t['port']}" for t in items}
    largest_left_out = max(n for k, n in truth["tuples"].items() if k not in listed)
    assert max(truth["tuples"].values()) <= bounds["largest"], bounds
    standing = [t for t in items if t["stands_out"]]
    assert [(t["address"], t["port"]) for t in standing] == [HEAVY_TUPLE], standing
    t = items[0]
    line = f"{NAT} -> {HEAVY_TUPLE[0]} udp/{HEAVY_TUPLE[1]}: {t['entries']} of"
    assert line in text, line
    heavy = truth["tuples"]["/".join(HEAVY_TUPLE)]
    print(f"ok   snat: {len(truth['tuples'])} tuples past {bounds['counters']} "
          f"counters; {NAT} -> {'/'.join(HEAVY_TUPLE)} named first and alone: "
          f"{t['entries']} ports in use (truth {heavy}, error {t['error']}); "
          f"list bound {bounds['bound']} ({bounds['bound'] / truth['entries'] * 100:.3f} % "
          f"of the entries), largest tuple left out {largest_left_out}")


def check(makeup, truth_path, doctor_json, doctor_txt):
    truth = json.load(open(truth_path))
    report = json.load(open(doctor_json))
    text = open(doctor_txt).read()
    m = report["makeup"]
    assert m["entries"] == truth["entries"], (m["entries"], truth["entries"])
    if makeup == "snat":
        return check_snat(truth, m, text)
    bounds = m["top_bounds"]["sources"]
    assert not bounds["exact"], f"more sources than counters, yet exact: {bounds}"
    assert len(truth["sources"]) > bounds["counters"], bounds
    items = m["top_sources"]
    # Every listed count and unreplied count holds its truth within `error`,
    # and no source left out holds more than the bound.
    for t in items:
        n, u = truth["sources"][t["address"]], truth["unreplied"][t["address"]]
        assert t["entries"] - t["error"] <= n <= t["entries"], (t, n)
        assert t["unreplied"] - t["error"] <= u <= t["unreplied"], (t, u)
        assert t["error"] <= bounds["bound"], (t, bounds)
    listed = {t["address"] for t in items}
    largest = max(truth["sources"].values())
    assert largest <= bounds["largest"], (largest, bounds)
    standing = [t for t in items if t["stands_out"]]
    section = []  # the lines under "top sources:"
    for line in text[text.index("top sources:"):].split("\n")[1:]:
        if not line.startswith("    "):
            break
        section.append(line.strip())
    if makeup == "uniform":
        assert not standing, f"culprits named in a uniform table: {standing}"
        assert len(section) == 1 and "no source stands out" in section[0], section
        assert f"at most {bounds['largest']} entries" in section[0], (section, bounds)
        print(f"ok   uniform, {len(truth['sources'])} sources past "
              f"{bounds['counters']} counters: no source stands out "
              f"(bound {bounds['bound']}, largest source {largest}); the doctor says: {section[0]}")
    else:
        assert [t["address"] for t in standing] == [HEAVY], standing
        assert items[0]["address"] == HEAVY, items[0]
        assert len(section) == 1 and section[0].startswith(HEAVY), section
        t = items[0]
        print(f"ok   heavy: {HEAVY} named first and alone: {t['entries']} entries "
              f"(truth {truth['sources'][HEAVY]}), {t['unreplied']} unreplied "
              f"(truth {truth['unreplied'][HEAVY]}), error {t['error']}, "
              f"list bound {bounds['bound']}; the doctor says: {section[0]}")


if __name__ == "__main__":
    if sys.argv[1] == "fill" and sys.argv[2] == "snat":
        fill_snat(int(sys.argv[3]), sys.argv[5])
    elif sys.argv[1] == "fill":
        fill(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    elif sys.argv[1] == "check":
        check(*sys.argv[2:6])
    else:
        sys.exit(__doc__)
