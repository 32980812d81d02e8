"""A small HTTP/1.1 load generator (asyncio, standard library only).

`run`: closed loop. `concurrency` virtual learners each send a request, wait for the whole
answer, and send the next one at once (no think time): the strictest reading of "N
concurrent learners", and what makes throughput comparable between two endpoints.
`arrivals`: open loop, requests sent at given moments (a class pressing submit).

Connections are kept alive when the server allows it (gthread workers) and reopened when
it closes them (sync workers answer `Connection: close`). Used by bench/http.py and the
hardening tests.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

# (method, path, headers, body) for virtual learner number i
RequestFor = Callable[[int], tuple[str, str, dict[str, str], bytes]]
# called with (learner, status, body) for every finished request (status 0: no answer)
OnResponse = Callable[[int, int, bytes], None]


@dataclass
class Stats:
    concurrency: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, measured requests only
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)  # connection errors, by kind
    wall: float = 0.0  # seconds, warmup included
    server_ms: float = 0.0  # CPU per request, filled in by bench/http.py
    db_ms: float = 0.0
    client_ms: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        """Anything but the expected 2xx: 4xx, 5xx and connection failures."""
        bad = sum(n for status, n in self.statuses.items() if not 200 <= status < 300)
        return bad

    @classmethod
    def combine(cls, runs: list[Stats]) -> Stats:
        """Several runs of one endpoint as one: counts added, CPU per request averaged
        over the requests."""
        total = cls(concurrency=runs[0].concurrency)
        for run in runs:
            total.seconds += run.seconds
            total.wall += run.wall
            total.latencies += run.latencies
            total.statuses.update(run.statuses)
            total.failures.update(run.failures)
        weight = max(1, total.requests)
        for name in ("server_ms", "db_ms", "client_ms"):
            setattr(total, name, sum(getattr(run, name) * run.requests for run in runs) / weight)
        return total

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the latencies, in milliseconds."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        rank = max(0, math.ceil(p / 100 * len(ordered)) - 1)
        return ordered[rank] * 1000


class _Connection:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, headers: dict[str, str],
                      body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                f"Content-Length: {len(body)}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionResetError("closed before answering")
        status = int(status_line.split()[1])
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        payload = await self.reader.readexactly(length) if length else b""
        if close:
            self.close()
        return status, payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _learner(number: int, host: str, port: int, request_for: RequestFor,
                   on_response: OnResponse | None, stats: Stats, measure_from: float,
                   stop_at: float, timeout: float,
                   think: tuple[float, float] | None = None,
                   until: Callable[[], bool] | None = None) -> None:
    connection = _Connection(host, port)
    loop = asyncio.get_running_loop()
    pace = random.Random(number)
    if think:  # learners do not all start on the same tick
        await asyncio.sleep(pace.uniform(0, think[1]))
    try:
        while (start := loop.time()) < stop_at and not (until and until()):
            method, path, headers, body = request_for(number)
            try:
                status, payload = await asyncio.wait_for(
                    connection.request(method, path, headers, body), timeout)
            except (TimeoutError, OSError, asyncio.IncompleteReadError,
                    ValueError, IndexError) as exc:
                connection.close()
                status, payload = 0, b""
                if start >= measure_from:
                    stats.failures[type(exc).__name__] += 1
                await asyncio.sleep(0.01)  # a refused connection must not spin the loop
            if on_response is not None:
                on_response(number, status, payload)
            if start >= measure_from:
                stats.latencies.append(loop.time() - start)
                stats.statuses[status] += 1
            if think:
                await asyncio.sleep(pace.uniform(*think))
    finally:
        connection.close()


async def _run(host: str, port: int, request_for: RequestFor, concurrency: int,
               seconds: float, warmup: float, on_response: OnResponse | None,
               timeout: float, think: tuple[float, float] | None = None,
               until: Callable[[], bool] | None = None) -> Stats:
    loop = asyncio.get_running_loop()
    stats = Stats(concurrency)
    measure_from = loop.time() + warmup
    stop_at = measure_from + seconds
    await asyncio.gather(*(
        _learner(n, host, port, request_for, on_response, stats, measure_from, stop_at,
                 timeout, think, until) for n in range(concurrency)))
    # Requests started before stop_at count; their time is the window they ran in.
    stats.seconds = max(seconds, loop.time() - measure_from)
    return stats


async def _arrivals(host: str, port: int, request_for: RequestFor, starts: list[float],
                    timeout: float) -> Stats:
    loop = asyncio.get_running_loop()
    stats = Stats(len(starts))
    origin = loop.time() + 0.1

    async def one(number: int, offset: float) -> None:
        await asyncio.sleep(max(0.0, origin + offset - loop.time()))
        connection = _Connection(host, port)
        method, path, headers, body = request_for(number)
        try:
            status, _ = await asyncio.wait_for(
                connection.request(method, path, headers, body), timeout)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError,
                IndexError) as exc:
            status = 0
            stats.failures[type(exc).__name__] += 1
        finally:
            connection.close()
        # From when the learner pressed submit, so a late start counts against us too.
        stats.latencies.append(loop.time() - (origin + offset))
        stats.statuses[status] += 1

    await asyncio.gather(*(one(n, offset) for n, offset in enumerate(starts)))
    stats.seconds = max(starts) if starts else 0.0
    stats.wall = loop.time() - origin
    return stats


def arrivals(host: str, port: int, request_for: RequestFor, starts: list[float], *,
             timeout: float = 30.0) -> Stats:
    """Open loop: request number i is sent `starts[i]` seconds after the start, on its
    own connection, whether or not earlier ones were answered (learners do not wait for
    each other). `Stats.concurrency` is the number of requests here."""
    return asyncio.run(_arrivals(host, port, request_for, starts, timeout))


def run(host: str, port: int, request_for: RequestFor, *, concurrency: int,
        seconds: float, warmup: float = 1.0, on_response: OnResponse | None = None,
        timeout: float = 30.0, think: tuple[float, float] | None = None,
        until: Callable[[], bool] | None = None) -> Stats:
    """Drive the server for `warmup` + `seconds` with `concurrency` learners, each on its
    own connection; only requests started after the warmup are measured (every one is
    reported to `on_response`). Without `think` a learner sends again as soon as answered
    (closed loop); with it, waits a uniform (low, high) seconds in between first. `until`:
    a learner sends nothing more once it returns true (a test that ends the run itself)."""
    started = time.perf_counter()
    stats = asyncio.run(_run(host, port, request_for, concurrency, seconds, warmup,
                             on_response, timeout, think, until))
    stats.wall = time.perf_counter() - started
    return stats
