"""Reuse images: uploads decoded and limited, re-encoded, thumbnailed, stored and removed."""
from __future__ import annotations

import io
import pathlib
import random
from typing import Any

import pytest
from PIL import Image

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.reuse_tracker import images
from tests.shared import as_user
from tests.reuse_tracker.reuse_setup import (MARKS, image_bytes, make_portal, published,
                                             submit, upload)

pytestmark = MARKS


def _store(data: bytes, **kwargs: Any) -> tuple[str, str]:
    return images.store_upload(upload(data, **kwargs))


def _file(url: str) -> pathlib.Path:
    path = images.image_path(url.rsplit("/", 1)[1])
    assert path is not None, url
    return path


def _refused(data: bytes) -> str:
    with pytest.raises(tk.ValidationError) as error:
        _store(data)
    return error.value.error_dict["image_upload"][0]


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF"])
def test_each_accepted_format_is_stored_with_a_thumbnail(fmt: str):
    """PNG, JPEG, WebP and GIF uploads are stored in their format, with a thumbnail."""
    image_url, thumbnail_url = _store(image_bytes(640, 320, fmt))
    assert image_url.startswith("/reuses/image/") and thumbnail_url.startswith("/reuses/image/")
    with Image.open(_file(image_url)) as original, Image.open(_file(thumbnail_url)) as thumb:
        assert (original.format, original.size) == (fmt, (640, 320))
        assert (thumb.format, thumb.size) == (fmt, (400, 200))


def test_small_image_thumbnail_is_not_enlarged():
    """An image narrower than the thumbnail width keeps its size in the thumbnail."""
    _, thumbnail_url = _store(image_bytes(120, 90))
    with Image.open(_file(thumbnail_url)) as thumb:
        assert thumb.size == (120, 90)


def test_fake_image_is_refused():
    """A text file named .png is refused on image_upload."""
    assert "not a valid" in _refused(b"<script>alert(1)</script> this is not a PNG")


def test_truncated_image_is_refused():
    """A PNG cut in the middle is refused once decoding fails."""
    assert "not a valid" in _refused(image_bytes(400, 400)[:200])


def test_other_image_types_are_refused():
    """A real BMP image is refused: only PNG, JPEG, WebP and GIF are accepted."""
    assert "PNG, JPEG, WebP or GIF" in _refused(image_bytes(10, 10, "BMP"))


@pytest.mark.ckan_config("ckanext.reuse_tracker.image_max_bytes", "1024")
def test_oversized_file_is_refused():
    """A file over image_max_bytes is refused without being decoded."""
    noisy = Image.frombytes("RGB", (64, 64), random.Random(6).randbytes(64 * 64 * 3))
    buffer = io.BytesIO()
    noisy.save(buffer, format="PNG")
    assert len(buffer.getvalue()) > 1024
    assert "larger than 1 kB" in _refused(buffer.getvalue())


def test_too_many_pixels_are_refused():
    """An image wider than 4000 pixels is refused, even when its file is small."""
    assert "4001×2" in _refused(image_bytes(4001, 2))


def test_empty_upload_is_refused():
    """An empty file is refused on image_upload."""
    assert "empty" in _refused(b"")


def test_reencoding_drops_appended_payload_and_metadata():
    """Bytes appended to an image and its EXIF data do not reach the stored file."""
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010E] = "secret description"
    Image.new("RGB", (50, 50), "blue").save(buffer, format="JPEG", exif=exif)
    data = buffer.getvalue() + b"<script>alert(1)</script>"
    image_url, _ = _store(data, filename="photo.jpg", content_type="image/jpeg")
    stored = _file(image_url).read_bytes()
    assert b"<script>" not in stored and b"secret description" not in stored


def test_image_path_refuses_names_outside_the_folder():
    """Only names of stored images resolve: traversal and unknown names give None."""
    image_url, thumbnail_url = _store(image_bytes())
    name = image_url.rsplit("/", 1)[1]
    assert images.image_path(name) is not None
    assert images.thumbnail_path(thumbnail_url.rsplit("/", 1)[1]) is not None
    assert images.thumbnail_path(name) is None
    for bad in ("../../../etc/passwd", "/etc/passwd", f"../images/{name}", "0" * 32 + ".png"):
        assert images.image_path(bad) is None


def test_create_with_upload_exposes_absolute_urls():
    """A reuse created with an upload shows absolute image and thumbnail URLs."""
    portal = make_portal()
    reuse = submit(portal.submitter, [portal.public], image_upload=upload(image_bytes(800, 600)))
    assert reuse["image_url"].startswith("http://test.ckan.net/reuses/image/")
    assert reuse["thumbnail_url"].startswith("http://test.ckan.net/reuses/image/")
    assert reuse["thumbnail_url"] != reuse["image_url"]


def test_create_with_fake_upload_is_refused_and_stores_nothing():
    """A fake image fails reuse_create on image_upload and no reuse is created."""
    portal = make_portal()
    with pytest.raises(tk.ValidationError) as error:
        submit(portal.submitter, [portal.public], image_upload=upload(b"GIF89a not really"))
    assert "image_upload" in error.value.error_dict
    assert helpers.call_action("reuse_list", as_user(portal.sysadmin), state="any")["count"] == 0


def test_image_url_is_kept_as_its_own_thumbnail():
    """An http(s) image address is stored as given, and used as the thumbnail too."""
    portal = make_portal()
    reuse = submit(portal.submitter, [portal.public],
                   image_url="https://images.example.org/carte.png")
    assert reuse["image_url"] == reuse["thumbnail_url"] == "https://images.example.org/carte.png"


def test_replacing_or_deleting_removes_stored_files():
    """A new upload removes the old files; deleting the reuse removes the current ones."""
    portal = make_portal()
    reuse = published(portal, image_upload=upload(image_bytes()))
    old = [_file(reuse[key]) for key in ("image_url", "thumbnail_url")]
    updated = helpers.call_action("reuse_update", as_user(portal.sysadmin), id=reuse["id"],
                                  image_upload=upload(image_bytes(30, 30, "WEBP")))
    assert not any(path.exists() for path in old)
    new = [_file(updated[key]) for key in ("image_url", "thumbnail_url")]
    helpers.call_action("reuse_delete", as_user(portal.sysadmin), id=reuse["id"])
    assert not any(path.exists() for path in new)


def test_sending_back_the_public_url_keeps_the_upload():
    """An edit form posting the stored image's public URL leaves the upload in place."""
    portal = make_portal()
    reuse = published(portal, image_upload=upload(image_bytes()))
    updated = helpers.call_action("reuse_update", as_user(portal.submitter), id=reuse["id"],
                                  image_url=reuse["image_url"], title=reuse["title"])
    assert (updated["image_url"], updated["state"]) == (reuse["image_url"], "published")
    assert _file(updated["thumbnail_url"]).exists()


def test_clear_image_removes_it():
    """clear_image removes the image of a reuse and its files."""
    portal = make_portal()
    reuse = published(portal, image_upload=upload(image_bytes()))
    path = _file(reuse["image_url"])
    updated = helpers.call_action("reuse_update", as_user(portal.sysadmin), id=reuse["id"],
                                  clear_image=True)
    assert updated["image_url"] is None and updated["thumbnail_url"] is None
    assert not path.exists()


def test_multipart_upload_through_the_api(app: Any, api_headers: Any):
    """A multipart POST to the API with an image file creates the reuse with its thumbnail."""
    dataset = factories.Dataset()
    user = factories.User()
    response = app.post(
        "/api/3/action/reuse_create", headers=api_headers(user),
        data={"title": "Carte illustrée", "url": "https://carto.example.org/illustree",
              "type": "visualization", "datasets": dataset["name"],
              "image_upload": (io.BytesIO(image_bytes(900, 300)), "carte.png")},
        status=200)
    result = response.json["result"]
    with Image.open(_file(result["thumbnail_url"])) as thumb:
        assert thumb.size == (400, 133)
