"""Peak memory of the web process during a burst of concurrent picture uploads (issue 21 §5).

    .venv/bin/python bench/upload_burst.py [--server postgresql://postgres@127.0.0.1:5432/postgres]
                                           [--clients 8] [--kinds png,jpeg,png-cap]

A scratch database (migrated, dropped afterwards) with one owner and their business; a
real uvicorn process (one worker) serves it. For each kind of picture, `--clients` uploads of
the same file start at once (one owner, one connection each), while the process's resident
memory (RSS, from /proc through psutil) is sampled every 10 ms. Printed per burst: RSS before,
the peak and its rise, RSS 2 s after, and each upload's status and duration.

Kinds: `png` the issue's picture (8000×5000 PNG, ~100 KB: flat colours compress well),
`jpeg` the same pixels as a JPEG, `png-cap` the largest PNG accepted (kit/images.py's cap
for pictures decoded in full), `png-cap-alpha` the same with transparency. Not part of the test suite (no figure is asserted).
"""
from __future__ import annotations

import argparse
import asyncio
import io
import os
import socket
import subprocess
import sys
import tempfile
import time as clock
from pathlib import Path

import httpx
import psutil
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from dbtools import scratch_database  # noqa: E402
from factories.accounts import create_user  # noqa: E402
from factories.directory import create_business  # noqa: E402

from afrobiz.accounts.sessions import start_session  # noqa: E402
from afrobiz.db import all_models  # noqa: E402,F401  (every mapped class known)
from afrobiz.db.session import make_engine, make_sessionmaker, system_session  # noqa: E402

MB = 1024 * 1024


def picture(kind: str) -> tuple[bytes, str, str]:
    """(bytes, file name, content type) of the burst's picture."""
    if kind.startswith("png-cap"):
        side = int((16_000_000 * 1.5) ** 0.5)       # kit/images.MAX_PIXELS_FULL_DECODE
        size = (side, int(side / 1.5))
    else:
        size = (8000, 5000)
    # png-cap-alpha: with (half-)transparent pixels, the costliest kind to resize.
    im = Image.new("RGBA", size, (200, 120, 40, 128)) if kind.endswith("alpha") else Image.new("RGB", size, (200, 120, 40))
    draw = ImageDraw.Draw(im)
    for i in range(0, size[0], size[0] // 3):
        draw.line([(i, 0), (size[0] - i, size[1])], fill=(20, 60, 160), width=9)
    buf = io.BytesIO()
    if kind == "jpeg":
        im.save(buf, "JPEG", quality=85)
        return buf.getvalue(), "big.jpg", "image/jpeg"
    im.save(buf, "PNG", optimize=True)
    return buf.getvalue(), "big.png", "image/png"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def owner_with_business(url: str) -> tuple[str, str]:
    engine = make_engine(url, pool_size=1)
    try:
        async with system_session(make_sessionmaker(engine)) as s:
            owner = await create_user(s, role="business_owner")
            business = await create_business(s, owner=owner)
            token = await start_session(s, user=owner)
            return str(business.id), token
    finally:
        await engine.dispose()


async def burst(base: str, pid: int, business_id: str, token: str, kind: str, clients: int) -> None:
    data, name, content_type = picture(kind)
    process = psutil.Process(pid)
    before = process.memory_info().rss
    peak = before
    done = False

    async def sample() -> None:
        nonlocal peak
        while not done:
            peak = max(peak, process.memory_info().rss)
            await asyncio.sleep(0.01)

    async def upload(client: httpx.AsyncClient) -> tuple[int, float, str]:
        started = clock.monotonic()
        r = await client.post(f"/api/v1/businesses/{business_id}/images", headers={"Authorization": f"Bearer {token}"},
                              files={"file": (name, data, content_type)}, data={"image_type": "gallery"})
        return r.status_code, clock.monotonic() - started, "" if r.status_code < 300 else r.json().get("detail", "")

    sampler = asyncio.create_task(sample())
    clients_ = [httpx.AsyncClient(base_url=base, timeout=300) for _ in range(clients)]
    started = clock.monotonic()
    try:
        results = await asyncio.gather(*(upload(c) for c in clients_))
    finally:
        for c in clients_:
            await c.aclose()
    wall = clock.monotonic() - started
    await asyncio.sleep(2)
    done = True
    await sampler
    after = process.memory_info().rss
    with Image.open(io.BytesIO(data)) as im:
        size = f"{im.width}×{im.height} {im.format}"
    print(f"\n{clients} × {size}, {len(data) / 1024:.0f} KB: wall {wall:.1f} s")
    print(f"  RSS before {before / MB:.0f} MB, peak {peak / MB:.0f} MB (+{(peak - before) / MB:.0f} MB), "
          f"2 s after {after / MB:.0f} MB")
    statuses: dict[int, int] = {}
    for status, _, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    seconds = sorted(s for _, s, _ in results)
    print(f"  answers {statuses}; durations {seconds[0]:.1f}–{seconds[-1]:.1f} s"
          + (f"; refusal: {next(d for _, _, d in results if d)}" if any(d for _, _, d in results) else ""))


async def main(args) -> None:  # noqa: ANN001
    with scratch_database(args.server, "afrobiz_bench_upload") as url, tempfile.TemporaryDirectory() as data_dir:
        business_id, token = await owner_with_business(url)
        for kind in args.kinds.split(","):   # a fresh server per burst: what one leaves behind is not the next's
            port = free_port()
            env = os.environ | {"AFROBIZ_DATABASE_URL": url, "AFROBIZ_DATA_DIR": data_dir,
                                "AFROBIZ_SECRET_KEY": "bench", "AFROBIZ_LOG_LEVEL": "WARNING"}
            server = subprocess.Popen([sys.executable, "-m", "uvicorn", "afrobiz.asgi:app", "--port", str(port)],
                                      env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            base = f"http://127.0.0.1:{port}"
            try:
                async with httpx.AsyncClient(base_url=base) as probe:
                    for _ in range(300):
                        try:
                            if (await probe.get("/healthz")).status_code == 200:
                                break
                        except httpx.TransportError:
                            await asyncio.sleep(0.1)
                    await probe.get("/api/v1/categories")   # warm up (imports, first queries)
                await burst(base, server.pid, business_id, token, kind, args.clients)
            finally:
                server.terminate()
                server.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--kinds", default="png,jpeg,png-cap,png-cap-alpha")
    asyncio.run(main(parser.parse_args()))
