"""A huge request body against a running server: how soon the answer comes, and whether the
event loop stays free meanwhile.

    .venv/bin/python bench/big_body.py http://127.0.0.1:8000 [--mb 100] [--path /api/v1/auth/login]

Sends a JSON body of --mb megabytes twice, once with Content-Length and once chunked (no
length), over a raw socket that keeps writing while it waits for the status line, and meanwhile
asks GET /healthz every 10 ms on another connection. Prints, for each: the status, the seconds
until the status line arrived, how many bytes had been written by then, and the slowest
/healthz answer during the upload (a blocked event loop shows here). Against this app (the
request gate, afrobiz/kit/request_gate.py) the answer is a 413 after at most ~1 MB is read.
"""
from __future__ import annotations

import argparse
import asyncio
import time
from urllib.parse import urlsplit

CHUNK = 64 * 1024


async def probe(host: str, port: int, stop: asyncio.Event) -> float:
    """The slowest GET /healthz (seconds) until `stop`, one keep-alive connection."""
    reader, writer = await asyncio.open_connection(host, port)
    slowest = 0.0
    try:
        while not stop.is_set():
            started = time.perf_counter()
            writer.write(f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            await reader.readexactly(length)
            slowest = max(slowest, time.perf_counter() - started)
            await asyncio.sleep(0.01)
    finally:
        writer.close()
    return slowest


async def upload(host: str, port: int, path: str, size: int, *, chunked: bool) -> tuple[str, float, int]:
    reader, writer = await asyncio.open_connection(host, port)
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
    writer.write(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n{framing}\r\n\r\n".encode())
    started, sent = time.perf_counter(), 0
    status_line: asyncio.Task = asyncio.create_task(reader.readline())

    async def write_body() -> None:
        nonlocal sent
        piece = b'{"email": "a@example.na", "password": "x", "pad": "'   # then "aaaa…", never closed
        while sent < size and not status_line.done():
            data = (f"{len(piece):x}\r\n".encode() + piece + b"\r\n") if chunked else piece
            writer.write(data)
            await writer.drain()
            sent += len(piece)
            piece = b"a" * min(CHUNK, size - sent)
        if chunked and not status_line.done():
            writer.write(b"0\r\n\r\n")

    writing = asyncio.create_task(write_body())
    try:
        line = await asyncio.wait_for(status_line, timeout=120)
        seconds = time.perf_counter() - started
    finally:
        writing.cancel()
        writer.close()
    return line.decode().strip(), seconds, sent


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--path", default="/api/v1/auth/login")
    args = parser.parse_args()
    parts = urlsplit(args.url)
    host, port = parts.hostname, parts.port or 80
    for chunked in (False, True):
        stop = asyncio.Event()
        watcher = asyncio.create_task(probe(host, port, stop))
        await asyncio.sleep(0.1)
        try:
            status, seconds, sent = await upload(host, port, args.path, args.mb * 1024 * 1024, chunked=chunked)
        except (ConnectionError, OSError) as exc:
            status, seconds, sent = f"connection error: {exc}", float("nan"), 0
        await asyncio.sleep(0.1)
        stop.set()
        slowest = await watcher
        kind = "chunked" if chunked else "Content-Length"
        print(f"{args.mb} MB, {kind}: {status!r} after {seconds * 1000:.1f} ms, {sent / 1024 / 1024:.1f} MB written "
              f"by then; slowest /healthz meanwhile {slowest * 1000:.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
