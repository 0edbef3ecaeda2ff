#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every runbook command is checked in a test where it can be: commands that
# read are run, and commands that change something are run in a namespace.
#
# Each ```sh block of docs/runbook.md is parsed (continuations joined,
# comments dropped) and each command classified:
#   run  host    reads only (cat, conntrack -S/-C/-L, dmesg, nft list, the
#                doctor, ...): run here, in the initial namespaces;
#   run  netns   changes something (sysctl -w of a per-namespace key, nft add,
#                iptables -A, a file under /etc, sysctl -p of such a file):
#                run in a network namespace of the block's own, in a private
#                mount namespace whose /etc is an overlay on a scratch
#                directory, and its effect read back there;
#   run  http    a request to the exporter's port: run in a namespace of its
#                own against the exporter given as $1;
#   ok   static  only the initial namespace may run it (nf_conntrack_max,
#                the buckets, /sys/module, kubectl, systemctl, apt-get): not
#                run, but its sysctl key, module parameter, manifest names or
#                unit checked.
# A command the test does not know fails it, as do a sysctl key this kernel
# lacks, an nft or iptables command the kernel refuses, a file in a place the
# system does not read, a link to no heading, and any change to the host's
# nf_conntrack_max or /etc.
#
# usage: runbook_commands_test.sh [EXPORTER] [RUNBOOK]
#   EXPORTER  the nf_conntrack_exporter binary, for the doctor and the HTTP
#             commands (without it they are skipped; a failure under CI=true)
#   RUNBOOK   the runbook to check (also $RUNBOOK; default docs/runbook.md)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$here/../e2e/netns_lib.sh"
exporter=${1:-}
runbook=${2:-${RUNBOOK:-$root/docs/runbook.md}}
[[ -f "$runbook" ]] || fail "no runbook at $runbook"
require_conntrack_root
require_tools ip nft unshare mount python3 timeout find curl
init_workspace ""          # $work, $pids, $more_ns, and the cleanup trap

mkdir -p "$work/bin"
if [[ -n "$exporter" ]]; then
  [[ -x "$exporter" ]] || fail "$exporter is not an executable"
  ln -s "$(realpath "$exporter")" "$work/bin/nf_conntrack_exporter"
fi
export PATH="$work/bin:$PATH"

# What the test must leave as it found it.
host_state() {
  cat /proc/sys/net/netfilter/nf_conntrack_max
  find /etc/sysctl.conf /etc/sysctl.d /etc/modprobe.conf /etc/modprobe.d \
    /etc/modules-load.d /etc/default -maxdepth 1 -printf '%p %s %T@\n' 2>/dev/null | sort || true
}
state_before=$(host_state)

serial=0
# new_netns: a network namespace (name in $REPLY) with loopback up and
# conntrack in use (create_test_netns; the exporter's port untracked),
# deleted on exit.
new_netns() {
  serial=$((serial + 1))
  REPLY=nfce-rb-$$-$serial
  more_ns+=("$REPLY")
  create_test_netns "$REPLY" 19372
}

# The keys a child namespace may write: the per-namespace ones.
new_netns
ip netns exec "$REPLY" find /proc/sys/net -type f -perm -u=w |
  sed -e 's#^/proc/sys/##' -e 's#/#.#g' | sort >"$work/netns-writable"
ip netns del "$REPLY"
grep -qx 'net.netfilter.nf_conntrack_tcp_timeout_established' "$work/netns-writable" ||
  fail "no writable conntrack sysctls in a new namespace: is conntrack in use there?"

# --- the plan: one shell call per command, written by the parser ---------
python3 - "$runbook" "$work/netns-writable" "$root" >"$work/plan.sh" <<'PY'
import glob, os, re, shlex, shutil, subprocess, sys

runbook, writable_file, root = sys.argv[1:4]
WRITABLE = set(open(writable_file).read().split())
# Global, read-only in a child namespace: never written by the test.
INITIAL_ONLY = {"net.netfilter.nf_conntrack_max", "net.netfilter.nf_conntrack_buckets",
                "net.netfilter.nf_conntrack_expect_max"}
OPTIONAL_FILES = {"/proc/net/stat/nf_conntrack": "a kernel without CONFIG_NF_CONNTRACK_PROCFS"}
# Tools a host may lack for good: their commands are skipped, never failed.
OPTIONAL_TOOLS = {"iptables": "not installed by scripts/install-deps.sh",
                  "ip6tables": "not installed by scripts/install-deps.sh",
                  "journalctl": "a host without systemd's journal"}
READ_VERBS = {"cat", "grep", "awk", "sort", "uniq", "head", "tail", "wc", "ls", "dmesg",
              "journalctl"}
STANDARD_FILES = [r"/etc/sysctl\.d/[\w.-]+\.conf", r"/etc/sysctl\.conf",
                  r"/etc/modprobe\.d/[\w.-]+\.conf", r"/etc/modprobe\.conf",
                  r"/etc/modules-load\.d/[\w.-]+\.conf"]
KUBE = os.path.join(root, "deploy", "kubernetes")

out = []
def emit(*words):
    out.append(" ".join(shlex.quote(str(w)) for w in words))

def proc_path(key):
    return "/proc/sys/" + key.replace(".", "/")

def modern(name):
    """The nf_conntrack name of a legacy ip_conntrack one (else None)."""
    if name.startswith("net.ipv4.netfilter.ip_conntrack_"):
        return "net.netfilter.nf_conntrack_" + name[len("net.ipv4.netfilter.ip_conntrack_"):]
    if "/ip_conntrack/" in name:
        return name.replace("/ip_conntrack/", "/nf_conntrack/")
    if name == "ip_conntrack":
        return "nf_conntrack"
    return None

def key_problem(key):
    """Why a sysctl key is wrong on this kernel, or None."""
    new = modern(key)
    if new:
        return None if os.path.exists(proc_path(new)) else f"{key}: its nf_conntrack name {new} does not exist"
    if not re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)+", key):
        return f"{key!r} is not a sysctl key"
    return None if os.path.exists(proc_path(key)) else f"no sysctl {key} on this kernel"

def per_netns(key):
    return key.startswith("net.") and key in WRITABLE and key not in INITIAL_ONLY

def file_problems(path, lines):
    """Static checks of a file the runbook writes under /etc."""
    if not any(re.fullmatch(p, path) for p in STANDARD_FILES):
        return [f"{path} is not a file the system reads (sysctl.d, modprobe.d, modules-load.d, *.conf)"]
    probs = []
    for line in lines:
        if "sysctl" in path:
            m = re.fullmatch(r"\s*([\w.]+)\s*=\s*(\S+)\s*", line)
            if not m:
                probs.append(f"{path}: {line!r} is not 'key = value'")
            elif key_problem(m.group(1)):
                probs.append(f"{path}: " + key_problem(m.group(1)))
        elif "modprobe" in path:
            m = re.fullmatch(r"options (\w+) (\w+)=(\S+)", line)
            if not m:
                probs.append(f"{path}: {line!r} is not 'options MODULE PARAM=VALUE'")
            else:
                mod = modern(m.group(1)) or m.group(1)
                if not os.path.exists(f"/sys/module/{mod}/parameters/{m.group(2)}"):
                    probs.append(f"{path}: module {mod} has no parameter {m.group(2)}")
        else:  # modules-load.d
            mod = line.strip()
            release = os.uname().release
            if not (os.path.exists(f"/sys/module/{mod}") or
                    glob.glob(f"/lib/modules/{release}/**/{mod}.ko*", recursive=True)):
                probs.append(f"{path}: no kernel module {mod}")
    return probs

def kube_problems(cmd):
    """kubectl: the names it uses in namespace monitoring exist in deploy/kubernetes."""
    manifests = ""
    for f in sorted(os.listdir(KUBE)) if os.path.isdir(KUBE) else []:
        manifests += open(os.path.join(KUBE, f)).read() + "\n---\n"
    probs = []
    ns = re.findall(r"(?:\s-n|--namespace)[ =]([\w-]+)", cmd)
    if "monitoring" not in ns:
        return probs
    if "namespace: monitoring" not in manifests:
        probs.append("deploy/kubernetes has no namespace monitoring")
    for sel in re.findall(r"\s-l ([^\s\"]+)", cmd):
        for kv in sel.split(","):
            k, _, v = kv.partition("=")
            if f"{k}: {v}" not in manifests:
                probs.append(f"no manifest carries the label {k}: {v}")
    for kind, name in re.findall(r"\b(servicemonitor|prometheusrule|daemonset|service)/([\w.-]+)", cmd):
        docs = [d for d in manifests.split("\n---\n") if re.search(rf"^kind: {kind}$", d, re.M | re.I)]
        if not any(re.search(rf"^  name: {re.escape(name)}$", d, re.M) for d in docs):
            probs.append(f"deploy/kubernetes has no {kind} {name}")
    for path in re.findall(r"-- (/\S+)", cmd):
        image = open(os.path.join(root, "scripts", "build-image.sh")).read()
        if path.lstrip("/") not in image:
            probs.append(f"the image (scripts/build-image.sh) has no {path}")
    return probs

def tokens(cmd):
    lex = shlex.shlex(cmd, posix=True, punctuation_chars=True)
    lex.whitespace_split = True
    lex.commenters = "#"
    return list(lex)

def simple_commands(cmd):
    """[(words, [(op, target)], stage, last_pipeline)]: each simple command."""
    toks = tokens(cmd)
    result, words, redirs, stage, pipeline = [], [], [], 0, 0
    def close():
        if words or redirs:
            result.append((list(words), list(redirs), stage, pipeline))
    i = 0
    while i < len(toks):
        t = toks[i]
        if t in ("|", "&&", "||", ";", "&"):
            close()
            words, redirs = [], []
            if t == "|":
                stage += 1
            else:
                stage, pipeline = 0, pipeline + 1
        elif t in (">", ">>", ">&", "<", "&>") and i + 1 < len(toks):
            target = toks[i + 1]
            if words and words[-1].isdigit() and (target == "/dev/null" or t == ">&"):
                words.pop()  # 2>/dev/null, 2>&1
            if target != "/dev/null" and t != ">&":
                redirs.append((t, target))
            i += 1
        else:
            words.append(t)
        i += 1
    close()
    last = max((p for _, _, _, p in result), default=0)
    return [(w, r, s, p == last) for w, r, s, p in result]

files = {}      # what this block wrote: path -> lines
def classify(cmd):
    """(kind, detail, checks): kind host|netns|http|static|skip|optional|bad."""
    if subprocess.run(["bash", "-n", "-c", cmd], capture_output=True).returncode != 0:
        return "bad", "not valid shell (bash -n)", []
    note = ""
    if cmd.startswith("chroot /host "):
        cmd = cmd[len("chroot /host "):]
        note = " (the debug pod's chroot /host: run on this host)"
    parts = simple_commands(cmd)
    kinds, details, checks, stages = set(), [], [], []
    for words, redirs, stage, last in parts:
        if not words:
            return "bad", "an empty command", []
        verb = words[0]
        if last:
            stages.append(verb)
        for op, target in redirs:
            if op not in (">", ">>"):
                return "bad", f"redirection {op} {target}", []
            if verb not in ("echo",):
                return "bad", f"{verb} writes {target}: only echo is known", []
            line = " ".join(words[1:])
            if target.startswith("/etc/"):
                probs = file_problems(target, [line])
                if probs:
                    return "bad", "; ".join(probs), []
                files[target] = (files.get(target, []) if op == ">>" else []) + [line]
                kinds.add("netns")
                checks.append(("file", target, "append" if op == ">>" else "replace", line))
            elif target.startswith("/sys/"):
                path = modern(target) or target
                if not os.path.exists(path):
                    return "bad", f"no {path} on this kernel", []
                if not line.isdigit():
                    return "bad", f"{line!r} is not a number for {target}", []
                kinds.add("static")
                details.append(f"writes {target}, global" +
                               (f" (legacy name of {path})" if path != target else ", which exists"))
            elif target.startswith("/proc/sys/"):
                key = target[len("/proc/sys/"):].replace("/", ".")
                if key_problem(key):
                    return "bad", key_problem(key), []
                if not per_netns(key):
                    kinds.add("static")
                    details.append(f"{key} is global, needs the initial namespace")
                else:
                    kinds.add("netns")
                    checks.append(("sysctl", key, line))
            else:
                return "bad", f"writes {target}: not a place the test knows", []
        if redirs:
            continue
        if verb == "echo":
            continue  # into a pipe (tee)
        if verb == "tee":
            args = [w for w in words[1:] if not w.startswith("-")]
            echo = [w for w, _, s, _ in parts if s == stage - 1 and w and w[0] == "echo"]
            line = " ".join(echo[0][1:]) if echo else ""
            for target in args:
                probs = file_problems(target, [line]) if target.startswith("/etc/") else [f"tee {target}"]
                if probs:
                    return "bad", "; ".join(probs), []
                append = "-a" in words
                files[target] = (files.get(target, []) if append else []) + [line]
                kinds.add("netns")
                checks.append(("file", target, "append" if append else "replace", line))
        elif verb in ("kubectl", "helm"):
            probs = kube_problems(cmd)
            if probs:
                return "bad", "; ".join(probs), []
            kinds.add("static")
            details.append("needs a Kubernetes cluster" +
                           (": namespace, labels and names match deploy/kubernetes"
                            if "monitoring" in cmd else ""))
        elif verb == "systemctl":
            unit = words[-1]
            if not os.path.exists(os.path.join(root, "deploy", "systemd", unit + ".service")):
                return "bad", f"deploy/systemd has no {unit}.service", []
            kinds.add("static")
            details.append(f"needs systemd; deploy/systemd/{unit}.service exists")
        elif verb == "apt-get":
            kinds.add("static")
            details.append("installs a package (in the debug pod)")
        elif verb == "sysctl":
            flags = [w for w in words[1:] if w.startswith("-")]
            args = [w for w in words[1:] if not w.startswith("-")]
            if "--system" in flags:
                return "bad", "sysctl --system re-applies every file: apply the one file with -p", []
            if "-p" in flags:
                if len(args) != 1 or args[0] not in files:
                    return "bad", "sysctl -p of a file no earlier command of this block writes", []
                pairs = [re.fullmatch(r"\s*([\w.]+)\s*=\s*(\S+)\s*", l).groups() for l in files[args[0]]]
                if all(per_netns(k) for k, _ in pairs):
                    kinds.add("netns")
                    checks += [("sysctl", k, v) for k, v in pairs]
                else:
                    kinds.add("static")
                    details.append("applies " + ", ".join(k for k, _ in pairs) +
                                   ": needs the initial namespace; the file and its keys were checked")
            elif "-w" in flags or any("=" in a for a in args):
                for a in args:
                    key, _, value = a.partition("=")
                    if key_problem(key):
                        return "bad", key_problem(key), []
                    if not re.fullmatch(r"\d+", value):
                        return "bad", f"{value!r} is not a number for {key}", []
                    if modern(key):
                        kinds.add("static")
                        details.append(f"legacy ip_conntrack name of {modern(key)}, which exists")
                    elif per_netns(key):
                        kinds.add("netns")
                        checks.append(("sysctl", key, value))
                    else:
                        kinds.add("static")
                        details.append(f"{key} exists; global, needs the initial namespace")
            else:
                for key in args:
                    if key_problem(key):
                        return "bad", key_problem(key), []
                kinds.add("host")
        elif verb == "nft":
            sub = words[1] if len(words) > 1 else ""
            if sub == "list":
                kinds.add("host")
            elif sub in ("add", "create", "insert"):
                kinds.add("netns")
                what = words[2] if len(words) > 2 else ""
                if what == "table":
                    checks.append(("nft_table", words[3], words[4]))
                elif what == "chain":
                    checks.append(("nft_chain", words[3], words[4], words[5], " ".join(words[6:])))
                elif what == "rule":
                    checks.append(("nft_rule", words[3], words[4], words[5], " ".join(words[6:])))
            else:
                return "bad", f"nft {sub}: not a subcommand the test knows", []
        elif verb in ("iptables", "ip6tables"):
            if shutil.which(verb) is None:
                return "optional", f"{verb} is missing ({OPTIONAL_TOOLS[verb]})", []
            if any(f in words for f in ("-L", "-S", "--list", "--list-rules")):
                kinds.add("host")
            elif "-A" in words:
                table = words[words.index("-t") + 1] if "-t" in words else "filter"
                chain = words[words.index("-A") + 1]
                spec = words[words.index("-A"):]
                kinds.add("netns")
                checks.append(("iptables", verb, table, chain, " ".join(spec)))
            else:
                return "bad", f"{verb}: only -A, -L and -S are known", []
        elif verb == "conntrack":
            if any(f in words for f in ("-D", "-F", "-R", "-I", "-U", "--delete", "--flush")):
                kinds.add("netns")
            elif "-E" in words or "--event" in words:
                return "bad", "conntrack -E does not end", []
            else:
                kinds.add("host")
        elif verb == "nf_conntrack_exporter":
            if words[1:2] != ["doctor"]:
                return "bad", "nf_conntrack_exporter without doctor would serve, not end", []
            kinds.add("host")
        elif verb == "curl":
            if not re.search(r"https?://(localhost|127\.0\.0\.1):19372/", cmd):
                return "bad", "curl to a place other than the exporter's port", []
            kinds.add("http")
        elif verb == "dmesg":
            if any(re.fullmatch(r"-[a-zA-Z]*[cCDEn][a-zA-Z]*|--(clear|read-clear|console-\w+)", w) for w in words[1:]):
                return "bad", "dmesg that changes or clears the kernel log", []
            kinds.add("host")
        elif verb in READ_VERBS:
            kinds.add("host")
        else:
            return "bad", f"{verb}: a command the test does not know (classify it in tests/runbook/runbook_commands_test.sh)", []
    for path, why in OPTIONAL_FILES.items():
        if path in cmd and not os.path.exists(path):
            return "optional", f"no {path}: {why}", []
    if kinds & {"host", "http"} and not kinds & {"static", "netns"}:
        for verb in stages if "host" in kinds else []:
            if shutil.which(verb) is None:
                if verb in OPTIONAL_TOOLS:
                    return "optional", f"{verb} is missing ({OPTIONAL_TOOLS[verb]})", []
                return "skip", f"{verb} is missing", []
    if "static" in kinds:
        return "static", "; ".join(dict.fromkeys(details)) + note, []
    if "netns" in kinds:
        return "netns", note, checks
    if "http" in kinds:
        return "http", note, []
    return "host", " ".join(stages) + "\x1f" + note, []

text = open(runbook, encoding="utf-8").read()
lines = text.splitlines()

# Links: every [..](#anchor) names a heading (GitHub's ids, as /runbook's).
sys.path.insert(0, os.path.join(root, "scripts"))
import runbook_anchors
anchors = runbook_anchors.anchors(text)
links = re.findall(r"\]\(#([^)\s]+)\)", text)
for a in links:
    if a not in anchors:
        emit("bad_link", a)
emit("links_checked", len(links))

section, i, block, in_fence = "", 0, 0, False
while i < len(lines):
    l = lines[i]
    m = re.fullmatch(r"(\s*)```sh\s*", l)
    if not m:
        if l.lstrip().startswith("```"):
            in_fence = not in_fence
        elif not in_fence and re.match(r"#{1,6} ", l):
            section = l.lstrip("#").strip()
        i += 1
        continue
    indent, block = len(m.group(1)), block + 1
    files = {}
    emit("begin_block", block, section)
    i += 1
    held, held_line = "", 0
    while i < len(lines) and lines[i].strip() != "```":
        raw = lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i]
        lineno = i + 1
        i += 1
        s = raw.strip()
        if not held and (not s or s.startswith("#")):
            continue
        if not held:
            held_line = lineno
        if s.endswith("\\"):
            held += s[:-1].rstrip() + " "
            continue
        cmd = held + s
        if re.search(r"(\||&&)\s*$", cmd):  # a pipeline continued on the next line
            held = cmd + " "
            continue
        held = ""
        kind, detail, checks = classify(cmd)
        shown = cmd[len("chroot /host "):] if cmd.startswith("chroot /host ") else cmd
        for c in checks:
            emit("want", *c)
        if kind == "host":
            stages, note = detail.split("\x1f")
            emit("host", held_line, shown, stages, note, shown)
        else:
            emit(kind, held_line, shown, detail, cmd)
    i += 1
    emit("end_block", block)
if block == 0:
    emit("bad", 0, "", "no ```sh block in the runbook", "")
print("\n".join(out))
PY

# --- running the plan ---------------------------------------------------
n_host=0 n_netns=0 n_http=0 n_static=0 n_skip=0
failures=() missing=() wants=()
block_ns="" block_etc="" http_ns=""
short() { local c=${1//$'\n'/ }; ((${#c} > 110)) && c="${c:0:107}..."; printf '%s' "$c"; }
report() {  # report STATUS WHERE LINE CMD [NOTE]
  printf '%-4s %-6s L%-4s %s%s\n' "$1" "$2" "$3" "$(short "$4")" "${5:+  [$5]}"
}
failed() {  # failed WHERE LINE CMD WHY
  report FAIL "$1" "$2" "$3" "$4"
  failures+=("line $2: $3: $4")
}

begin_block() { block_ns="" block_etc=""; echo "  block $1 ($2)"; }
end_block() {
  if [[ -n "$block_ns" ]]; then ip netns del "$block_ns"; fi
  block_ns="" block_etc=""
}
# The block's namespace, and a scratch upper layer for /etc with the
# standard directories a system has.
ensure_block_ns() {
  [[ -n "$block_ns" ]] && return 0
  new_netns
  block_ns=$REPLY
  block_etc=$work/etc-$block_ns
  mkdir -p "$block_etc/upper/sysctl.d" "$block_etc/upper/modprobe.d" \
    "$block_etc/upper/modules-load.d" "$block_etc/work"
}
# in_block SECONDS CMD: CMD in the block's network namespace, in a private
# mount namespace whose /etc is an overlay: no write reaches the host's /etc.
# If the overlay cannot be mounted, CMD does not run.
in_block() {
  timeout "$1" unshare --mount --propagation private -- bash -c '
    set -e
    mount -t overlay nfce-runbook-etc -o "lowerdir=/etc,upperdir=$1/upper,workdir=$1/work" /etc
    exec ip netns exec "$2" bash -c "$3"' _ "$block_etc" "$block_ns" "$2"
}

want() { wants+=("$(printf '%q ' "$@")"); }
# Read-backs, in the block's namespace; each prints what it saw or fails.
check_sysctl() {
  local got
  got=$(in_block 10 "sysctl -n $1" 2>&1) || true
  [[ "$got" == "$2" ]] || { echo "$1 is '$got', not $2"; return 1; }
  echo "$1 = $got"
}
check_file() {  # check_file PATH replace|append LINE: the file in the overlay
  local f=$block_etc/upper/${1#/etc/} got
  [[ -f "$f" ]] || { echo "$1 was not written"; return 1; }
  if [[ "$2" == replace ]]; then got=$(cat "$f"); else got=$(tail -n 1 "$f"); fi
  [[ "$got" == "$3" ]] || { echo "$1 holds '$got', not '$3'"; return 1; }
  echo "$1 written"
}
normalise() { awk '{ $1 = $1; print }'; }
check_nft_table() {
  in_block 10 "nft list table $1 $2" >/dev/null 2>&1 || { echo "no table $1 $2"; return 1; }
  echo "table listed"
}
check_nft_chain() {
  local listing want
  listing=$(in_block 10 "nft list chain $1 $2 $3" 2>&1 | normalise) || { echo "no chain $3: $listing"; return 1; }
  want=$(sed -e 's/^{ *//' -e 's/ *}$//' <<<"$4" | normalise)
  [[ "$listing" == *"$want"* ]] || { echo "chain $3 lacks '$want'"; return 1; }
  echo "chain listed"
}
check_nft_rule() {
  local listing want
  listing=$(in_block 10 "nft list chain $1 $2 $3" 2>&1 | normalise) || { echo "no chain $3"; return 1; }
  want=$(normalise <<<"$4")
  grep -qxF -- "$want" <<<"$listing" || { echo "chain $3 lacks the rule '$want'"; return 1; }
  echo "rule listed"
}
check_iptables() {  # check_iptables TOOL TABLE CHAIN SPEC
  local listing
  listing=$(in_block 10 "$1 -t $2 -S $3" 2>&1 | sed -E 's/ -m (tcp|udp)//' | normalise) ||
    { echo "no chain $3 in $2"; return 1; }
  grep -qxF -- "$(normalise <<<"$4")" <<<"$listing" || { echo "$2 $3 lacks '$4'"; return 1; }
  echo "rule listed"
}

host() {  # host LINE SHOWN STAGES NOTE CMD: read-only, run here
  local line=$1 shown=$2 note=$4 cmd=$5 rc=0 i n
  local -a stages st
  read -ra stages <<<"$3"
  timeout 30 bash -c "$cmd"$'\n''echo "${PIPESTATUS[*]}" >&3' \
    3>"$work/status" >"$work/out" 2>"$work/err" </dev/null || rc=$?
  read -ra st <"$work/status" || true
  if ((rc == 124)); then failed host "$line" "$shown" "timed out after 30 s"; return; fi
  if ((rc != 0 || ${#st[@]} == 0)); then
    failed host "$line" "$shown" "did not run: $(tr '\n' ' ' <"$work/err")"
    return
  fi
  n=${#st[@]}
  for ((i = 0; i < n; i++)); do
    case "${st[i]}:${stages[i]:-}" in
      0:*) ;;
      1:grep) ;;                                   # no line matched
      [123]:nf_conntrack_exporter) ;;              # the doctor's WARNING, CRITICAL, UNKNOWN
      141:*) ((i < n - 1)) || { failed host "$line" "$shown" "killed by SIGPIPE"; return; } ;;
      *)
        failed host "$line" "$shown" "${stages[i]:-stage $i} exited ${st[i]}: $(tr '\n' ' ' <"$work/err")"
        return ;;
    esac
  done
  n_host=$((n_host + 1))
  report run host "$line" "$shown" "exit ${st[*]}$note"
}

netns() {  # netns LINE SHOWN NOTE CMD: changes something; in the block's namespace
  local line=$1 shown=$2 note=$3 cmd=$4 rc=0 w seen=() msg
  ensure_block_ns
  in_block 10 "$cmd" >"$work/out" 2>"$work/err" </dev/null || rc=$?
  if ((rc != 0)) || [[ -s "$work/err" ]]; then
    wants=()
    failed netns "$line" "$shown" "exit $rc: $(tr '\n' ' ' <"$work/err")"
    return
  fi
  for w in "${wants[@]}"; do
    if ! msg=$(eval "check_$w"); then
      wants=()
      failed netns "$line" "$shown" "ran, but $msg"
      return
    fi
    seen+=("$msg")
  done
  wants=()
  n_netns=$((n_netns + 1))
  report run netns "$line" "$shown" "$(IFS=';'; echo "${seen[*]:-ran}")$note"
}

http() {  # http LINE SHOWN NOTE CMD: against the exporter, in a namespace of its own
  local line=$1 shown=$2 cmd=$4 rc=0
  if [[ ! -e "$work/bin/nf_conntrack_exporter" ]]; then
    skip "$line" "$shown" "needs the exporter (pass it as the first argument)"
    missing+=(nf_conntrack_exporter)
    return
  fi
  if [[ -z "$http_ns" ]]; then
    new_netns
    http_ns=$REPLY
    ip netns exec "$http_ns" nf_conntrack_exporter --web.listen-address=:19372 \
      2>"$work/http-exporter.log" &
    pids+=($!)
    ip netns exec "$http_ns" bash -c "$(declare -f wait_http); wait_http http://127.0.0.1:19372/-/healthy 10" ||
      fail "the exporter did not start in $http_ns: $(cat "$work/http-exporter.log")"
  fi
  ip netns exec "$http_ns" timeout 10 bash -c "$cmd" >"$work/out" 2>"$work/err" </dev/null || rc=$?
  if ((rc != 0)) || [[ ! -s "$work/out" ]]; then
    failed http "$line" "$shown" "exit $rc: $(tr '\n' ' ' <"$work/err")"
    return
  fi
  n_http=$((n_http + 1))
  report run http "$line" "$shown" "answered: $(head -c 40 "$work/out" | tr '\n' ' ')"
}

static() {  # static LINE SHOWN REASON CMD: not run; checked by the parser
  n_static=$((n_static + 1))
  report ok static "$1" "$2" "not run: $3"
}
skip() {  # skip LINE SHOWN REASON [CMD]: a required tool is missing
  n_skip=$((n_skip + 1))
  report skip "" "$1" "$2" "$3"
  [[ "$3" == *" is missing" ]] && missing+=("${3% is missing}")
  return 0
}
optional() {  # optional LINE SHOWN REASON CMD: legitimately absent here
  n_skip=$((n_skip + 1))
  report skip "" "$1" "$2" "$3"
}
bad() { wants=(); failed "" "$1" "$2" "$3"; }
bad_link() { failures+=("link to #$1: no such heading"); echo "FAIL link #$1: no such heading"; }
links_checked() { echo "ok   links: $1 checked against the headings"; }

echo "--- $runbook"
source "$work/plan.sh"

state_after=$(host_state)
[[ "$state_after" == "$state_before" ]] ||
  failures+=("the host changed: $(diff <(echo "$state_before") <(echo "$state_after") | tr '\n' ' ')")
echo "--- $n_host run on the host, $n_netns in a namespace, $n_http against the exporter," \
  "$n_static checked without running, $n_skip skipped"
if ((${#failures[@]} > 0)); then
  printf 'FAIL: %s\n' "${failures[@]}" >&2
  exit 1
fi
if ((${#missing[@]} > 0)); then
  skip_or_fail "commands not run, tools missing: $(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')"
fi
echo "runbook commands: all checks passed"
