"""Upload defences (kit.images) and the file stores (local, S3 through moto)."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from afrobiz.kit.images import ImageTooLarge, ImageTooManyPixels, UnsupportedImage, process_image
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
