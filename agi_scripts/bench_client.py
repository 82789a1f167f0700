"""The load side of `hotline bench agi`: many asyncio fake channels in one process.

Run as ``python -m agi_scripts.bench_client HOST PORT CALLS BURST``; prints one JSON object
with the per-command turnarounds (reply sent -> next command received) in milliseconds,
and apart from them the call set-up time (agi_* block sent -> first command received).
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time

AUDIO_SECONDS = (0.5, 1.5)     # how long a prompt or a key read occupies the channel
AUDIO_VERBS = ("STREAM", "GET DATA", "WAIT")
CONNECT_TIMEOUT = 30.0


def _env(i: int) -> bytes:
    lines = {"agi_network": "yes", "agi_network_script": "bench", "agi_uniqueid": f"b{i}",
             "agi_callerid": "13985012345", "agi_dnid": "12345", "agi_channel": f"PJSIP/b-{i}"}
    return ("".join(f"{k}: {v}\n" for k, v in lines.items()) + "\n").encode()


def _reply(line: str) -> str:
    if line.startswith("STREAM FILE"):
        return "200 result=0 endpos=8000"
    if line.startswith("GET DATA"):
        return "200 result=1"
    if line.startswith("GET VARIABLE"):
        return "200 result=1 (ANSWER)"
    return "200 result=1" if line.startswith("SET") else "200 result=0"


async def _call(i: int, host: str, port: int, out: dict, rng: random.Random) -> None:
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), CONNECT_TIMEOUT)
    except (OSError, asyncio.TimeoutError):
        out["connect_failures"] += 1
        return
    try:
        writer.write(_env(i))
        await writer.drain()
        sent = time.perf_counter()
        out_started = False
        while True:
            raw = await reader.readline()
            if not raw:
                break
            key = "turnarounds" if out_started else "first"
            out[key].append((time.perf_counter() - sent) * 1000.0)
            out_started = True
            line = raw.decode().rstrip("\n")
            if line.startswith(AUDIO_VERBS):
                await asyncio.sleep(rng.uniform(*AUDIO_SECONDS))
            writer.write((_reply(line) + "\n").encode())
            await writer.drain()
            sent = time.perf_counter()
        out["calls"] += 1
    except OSError:
        out["errors"] += 1
    finally:
        writer.close()


async def run(host: str, port: int, calls: int, burst: int) -> dict:
    out = {"turnarounds": [], "first": [], "connect_failures": 0, "errors": 0, "calls": 0}
    rng = random.Random(7)
    tasks = [asyncio.create_task(_call(i, host, port, out, rng)) for i in range(burst)]
    rest = calls - burst
    for i in range(rest):
        tasks.append(asyncio.create_task(_call(burst + i, host, port, out, rng)))
        await asyncio.sleep(0.5 / max(rest, 1))
    await asyncio.gather(*tasks)
    return out


def main() -> None:
    host, port, calls, burst = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    out = asyncio.run(run(host, port, calls, burst))
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
