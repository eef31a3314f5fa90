"""Upload defences (kit.images) and the file stores (local, S3 through moto)."""
from __future__ import annotations

import asyncio
import io
import subprocess
import sys
import threading

import pytest
from PIL import Image

from afrobiz.kit.images import DecodeSlots, ImageTooLarge, ImageTooManyPixels, UnsupportedImage, process_image
from afrobiz.storage import LocalStore, S3Store, valid_key
from factories.directory import huge_png_header, jpeg_with_gps, png


def test_jpeg_is_reencoded_as_webp_sizes_without_exif():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)      # the GPS is really there
    result = process_image(original)
    assert set(result.variants) == {"thumb", "card", "full"}
    thumb = result.variants["thumb"]
    assert (thumb.width, thumb.height) == (320, 240)
    assert (result.width, result.height) == (1200, 900)                 # not enlarged to 1600
    for v in result.variants.values():
        im = Image.open(io.BytesIO(v.data))
        assert im.format == "WEBP" and im.size == (v.width, v.height)
        assert not im.getexif() and "exif" not in im.info
        assert b"PhoneMaker" not in v.data
        assert valid_key(v.key) and v.key.endswith(".webp")
    assert process_image(original).variants["full"].key == result.variants["full"].key   # content-addressed


def test_png_with_transparency_keeps_alpha():
    result = process_image(png())
    assert Image.open(io.BytesIO(result.variants["full"].data)).mode == "RGBA"


def test_bomb_is_refused_before_decoding():
    with pytest.raises(ImageTooManyPixels):
        process_image(huge_png_header())


@pytest.mark.parametrize("data", [
    b"This is a text file renamed photo.jpg\n" * 10,
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
    b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    b"",
])
def test_non_images_are_refused(data):
    with pytest.raises(UnsupportedImage):
        process_image(data)


def test_gif_is_refused_even_when_real():
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, "GIF")
    with pytest.raises(UnsupportedImage):
        process_image(buf.getvalue())


def test_truncated_jpeg_is_refused():
    with pytest.raises(UnsupportedImage):
        process_image(jpeg_with_gps()[:400])


def test_byte_cap():
    with pytest.raises(ImageTooLarge):
        process_image(b"\xff" * 101, max_bytes=100)


# Peak memory of one process_image() call, measured in a fresh process (ru_maxrss is a peak).
_MEASURE = """
import resource, sys
from pathlib import Path
from afrobiz.kit.images import process_image
data = Path(sys.argv[1]).read_bytes()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = process_image(data)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024, result.width, result.height)
"""


def _decode_cost_mb(tmp_path, data: bytes) -> tuple[int, int, int]:
    path = tmp_path / "picture"
    path.write_bytes(data)
    out = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, check=True)
    mb, width, height = map(int, out.stdout.split())
    return mb, width, height


def _picture(size, fmt: str, mode: str = "RGB") -> bytes:
    buf = io.BytesIO()
    color = {"L": 128, "RGBA": (200, 120, 40, 128)}.get(mode, (200, 120, 40))
    Image.new(mode, size, color).save(buf, fmt)
    return buf.getvalue()


def test_a_large_jpeg_is_decoded_at_a_reduced_scale(tmp_path):
    # 8000×5000 decoded whole is 160 MB, and the old code held several copies (525 MB);
    # decoded at 1/4 (2000×1250, just over the 1600 stored) it costs some 25 MB.
    mb, width, height = _decode_cost_mb(tmp_path, _picture((8000, 5000), "JPEG"))
    assert (width, height) == (1600, 1000)
    assert mb < 100, f"decoding an 8000×5000 JPEG took {mb} MB"


def test_a_png_at_the_cap_is_decoded_once_and_reduced_in_place(tmp_path):
    # No reduced decoding for PNG: the whole picture (64 MB at the cap), but no copies of it
    # (exif_transpose, convert and one per stored size took 218 MB).
    mb, width, height = _decode_cost_mb(tmp_path, _picture((4898, 3265), "PNG"))
    assert (width, height) == (1600, 1067)
    assert mb < 150, f"decoding a 16 MP PNG took {mb} MB"


def test_png_and_webp_have_a_lower_pixel_cap_than_jpeg():
    over = _picture((5000, 3300), "PNG", "L")              # 16.5 MP: fine as a JPEG, not as a PNG
    with pytest.raises(ImageTooManyPixels) as refused:
        process_image(over)
    assert "PNG" in refused.value.detail
    assert process_image(_picture((5000, 3300), "JPEG", "L")).width == 1600


def test_every_stored_size_keeps_the_aspect_and_the_mode():
    result = process_image(_picture((3000, 2000), "PNG", "RGBA"))
    assert list(result.variants) == ["thumb", "card", "full"]
    assert [v.width for v in result.variants.values()] == [320, 800, 1600]
    assert all(abs(v.width / v.height - 1.5) < 0.01 for v in result.variants.values())
    assert Image.open(io.BytesIO(result.variants["thumb"].data)).mode == "RGBA"


async def test_decode_slots_let_only_n_decodes_run_at_once():
    slots = DecodeSlots(2)
    inside, most = 0, 0
    lock = threading.Lock()
    both_in = threading.Barrier(2, timeout=10)   # two must be able to run together

    def decode(n: int) -> int:
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
        both_in.wait()
        with lock:
            inside -= 1
        return n

    assert await asyncio.gather(*(slots.run(decode, n) for n in range(6))) == list(range(6))
    assert most == 2


async def test_local_store_round_trip(tmp_path):
    store = LocalStore(tmp_path)
    key = "ab" * 20 + ".webp"
    await store.put(key, b"data", "image/webp")
    assert await store.get(key) == b"data" and store.url(key) == f"/media/{key}"
    await store.delete(key)
    assert await store.get(key) is None
    assert await store.get("../../etc/passwd") is None
    with pytest.raises(ValueError):
        await store.put("../evil.webp", b"x", "image/webp")


async def test_s3_store_against_moto():
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="test",
                              aws_secret_access_key="test")
        client.create_bucket(Bucket="afrobiz-media")
        store = S3Store("afrobiz-media", prefix="img", client=client)
        key = "cd" * 20 + ".webp"
        await store.put(key, b"webp-bytes", "image/webp")
        head = client.head_object(Bucket="afrobiz-media", Key="img/" + key)
        assert head["ContentType"] == "image/webp" and "immutable" in head["CacheControl"]
        assert await store.get(key) == b"webp-bytes"
        await store.delete(key)
        assert await store.get(key) is None


def test_get_store_follows_the_settings(tmp_path, monkeypatch):
    from afrobiz.config import Settings
    from afrobiz.storage import get_store

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    local = get_store(Settings(data_dir=tmp_path))
    assert isinstance(local, LocalStore) and local.root == tmp_path / "files"
    s3 = get_store(Settings(data_dir=tmp_path, storage_url="s3://media-bucket/afrobiz",
                            s3_endpoint_url="http://127.0.0.1:9000"))
    assert isinstance(s3, S3Store) and s3.bucket == "media-bucket" and s3.prefix == "afrobiz/"
    assert s3.client.meta.endpoint_url == "http://127.0.0.1:9000"
