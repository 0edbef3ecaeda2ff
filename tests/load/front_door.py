# SPDX-License-Identifier: Apache-2.0
"""The front door under attack, on loopback, for a bounded time: 2,000 idle
TCP connections, 200 slowloris clients (a header byte a second) and 200
clients that send one request and then hold their kept-alive connection;
each attacker reconnects when its connection is closed. Meanwhile two
well-behaved clients scrape /metrics once a second: one over a kept-alive
connection opened before the attack (as Prometheus scrapes), one over a new
connection each time. The exporter's resident memory and threads are
sampled every second.

Prints one JSON object: the well-behaved scrapes (latency, status, whether
the kept-alive connection was ever closed under it), what the attackers met
(connections closed, 503s) and the exporter's peak memory.

usage: front_door.py PORT PID SECONDS
"""
import asyncio
import http.client
import json
import resource
import sys
import threading
import time

PORT, PID, SECONDS = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
IDLE, SLOWLORIS, HOLDERS = 2000, 200, 200
resource.setrlimit(resource.RLIMIT_NOFILE, (16384, 16384))
met = {"idle_closed": 0, "slowloris_closed": 0, "holders_closed": 0,
       "holders_503": 0, "connect_errors": 0}


async def attacker(kind, stop):
    while time.time() < stop:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", PORT), 10)
        except (OSError, asyncio.TimeoutError):
            met["connect_errors"] += 1
            await asyncio.sleep(1)
            continue
        try:
            if kind == "slowloris":
                writer.write(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
                while time.time() < stop and not reader.at_eof():
                    await asyncio.sleep(1)
                    writer.write(b"X")
                    await writer.drain()
            elif kind == "holder":
                writer.write(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
                if b" 503 " in head.split(b"\r\n")[0]:
                    met["holders_503"] += 1
            # idle: nothing at all. All: wait for the close, or the end.
            left = stop - time.time()
            if left > 0:
                await asyncio.wait_for(reader.read(), left)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError,
                asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()
        if time.time() < stop:
            met[{"idle": "idle_closed", "slowloris": "slowloris_closed",
                 "holder": "holders_closed"}[kind]] += 1


async def attack(stop):
    tasks = [attacker("idle", stop) for _ in range(IDLE)]
    tasks += [attacker("slowloris", stop) for _ in range(SLOWLORIS)]
    tasks += [attacker("holder", stop) for _ in range(HOLDERS)]
    await asyncio.gather(*tasks)


def scraper(kept_alive, stop, out):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    closed_under_it = 0
    while time.time() < stop:
        t0 = time.time()
        try:
            if not kept_alive:
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
            sock_before = conn.sock
            conn.request("GET", "/metrics")
            r = conn.getresponse()
            r.read()
            status = r.status
            if kept_alive and sock_before is not None and conn.sock is not sock_before:
                closed_under_it += 1
        except (OSError, http.client.HTTPException) as e:
            status = type(e).__name__
            conn.close()
            if kept_alive:
                closed_under_it += 1
        out["scrapes"].append({"t": round(t0 - START, 2),
                               "seconds": round(time.time() - t0, 4),
                               "status": status})
        if not kept_alive:
            conn.close()
        time.sleep(max(0, 1 - (time.time() - t0)))
    out["reconnected"] = closed_under_it


def cpu_seconds():
    """The exporter's CPU time, every thread, from schedstat (ns)."""
    import glob
    total = 0
    for path in glob.glob(f"/proc/{PID}/task/*/schedstat"):
        try:
            with open(path) as f:
                total += int(f.read().split()[0])
        except OSError:
            pass  # a thread that ended meanwhile
    return total / 1e9


def sample_memory(stop, out):
    cpu0 = cpu_seconds()
    t0 = time.time()
    while time.time() < stop:
        with open(f"/proc/{PID}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "Threads:")):
                    key, value = line.split(":")
                    v = int(value.split()[0])
                    out[key] = max(out.get(key, 0), v)
        time.sleep(1)
    out["cpu_share"] = (cpu_seconds() - cpu0) / (time.time() - t0)


START = time.time()
stop = START + SECONDS
kept = {"scrapes": []}
fresh = {"scrapes": []}
memory = {}
# Prometheus's connection is there before the attack.
threads = [threading.Thread(target=scraper, args=(True, stop, kept)),
           threading.Thread(target=sample_memory, args=(stop, memory))]
threads[0].start()
time.sleep(1.5)
threads.append(threading.Thread(target=scraper, args=(False, stop, fresh)))
threads[1].start()
threads[2].start()
asyncio.run(attack(stop))
for t in threads:
    t.join()
print(json.dumps({"kept_alive": kept, "new_connection": fresh,
                  "attackers": met, "peak_rss_kib": memory.get("VmRSS"),
                  "peak_threads": memory.get("Threads"),
                  "cpu_share": round(memory.get("cpu_share", 0), 3)}))
