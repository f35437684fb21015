"""Reuse images: uploads checked by decoding them (type, size, dimensions), re-encoded, with a thumbnail.

Files live under ``<ckan.storage_path>/reuse_tracker/images/`` and are served at
``/reuses/image/<file>`` (the reuse pages' blueprint serves :func:`image_path`).
"""
from __future__ import annotations

import io
import logging
import pathlib
import re
import uuid
import warnings
from typing import Any, Optional

import ckan.plugins.toolkit as tk

__all__ = ["URL_PREFIX", "store_upload", "delete", "image_path", "thumbnail_path",
           "public_url"]

log = logging.getLogger(__name__)

#: Where the reuse blueprint serves stored images: ``/reuses/image/<file>``.
URL_PREFIX = "/reuses/image/"
#: Decoded format -> (file extension, format to re-encode into).
_FORMATS = {"PNG": ("png", "PNG"), "JPEG": ("jpg", "JPEG"), "WEBP": ("webp", "WEBP"),
            "GIF": ("gif", "GIF")}
_NAME = re.compile(r"^[0-9a-f]{32}(\.thumb)?\.(png|jpg|webp|gif)$")
_CHUNK = 64 * 1024


def _folder() -> Optional[pathlib.Path]:
    root = tk.config.get("ckan.storage_path")
    return pathlib.Path(root) / "reuse_tracker" / "images" if root else None


def _invalid(message: str) -> tk.ValidationError:
    return tk.ValidationError({"image_upload": [message]})


def _read(upload: Any, max_bytes: int) -> bytes:
    stream = getattr(upload, "stream", None) or getattr(upload, "file", None)
    if stream is None or not hasattr(stream, "read"):
        raise _invalid(tk._("Choose an image file to upload"))
    buffer = bytearray()
    # Read in chunks and stop past the limit: a huge upload is never held in memory whole.
    while len(buffer) <= max_bytes:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        buffer.extend(chunk)
    if len(buffer) > max_bytes:
        raise _invalid(tk._("The image is larger than {size} kB").format(
            size=max_bytes // 1024))
    if not buffer:
        raise _invalid(tk._("The image file is empty"))
    return bytes(buffer)


def _decode(data: bytes, max_pixels: int) -> Any:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in _FORMATS:
                raise _invalid(tk._("The image must be a PNG, JPEG, WebP or GIF file"))
            width, height = image.size
            if width > max_pixels or height > max_pixels:
                raise _invalid(tk._(
                    "The image is {width}×{height} pixels; at most {max}×{max} are accepted"
                ).format(width=width, height=height, max=max_pixels))
            image.load()
    except tk.ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _invalid(tk._("The image is too large once decoded"))
    except Exception:  # Pillow raises many kinds of errors on a fake or broken file
        raise _invalid(tk._("This file is not a valid PNG, JPEG, WebP or GIF image"))
    return image


def _encode(image: Any, fmt: str) -> bytes:
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif fmt == "WEBP" and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA")
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **({"quality": 88} if fmt in ("JPEG", "WEBP") else {}))
    return buffer.getvalue()


def store_upload(upload: Any) -> tuple[str, str]:
    """Check an uploaded image and store it, re-encoded, with its thumbnail.

    Re-encoding drops metadata (EXIF positions) and anything appended to the file.

    :returns: ``(image URL path, thumbnail URL path)``, both under :data:`URL_PREFIX`
    :raises ValidationError: on ``image_upload``, saying what is wrong with the file
    """
    from PIL import Image

    folder = _folder()
    if folder is None:
        raise _invalid(tk._("Image uploads are not enabled on this portal"))
    data = _read(upload, tk.config["ckanext.reuse_tracker.image_max_bytes"])
    image = _decode(data, tk.config["ckanext.reuse_tracker.image_max_pixels"])
    extension, fmt = _FORMATS[image.format]
    width = tk.config["ckanext.reuse_tracker.thumbnail_width"]
    thumbnail = image.copy()
    if thumbnail.width > width:
        height = max(1, round(thumbnail.height * width / thumbnail.width))
        thumbnail = thumbnail.resize((width, height), Image.Resampling.LANCZOS)
    try:
        original_bytes, thumbnail_bytes = _encode(image, fmt), _encode(thumbnail, fmt)
    except Exception:
        raise _invalid(tk._("This file is not a valid PNG, JPEG, WebP or GIF image"))
    folder.mkdir(parents=True, exist_ok=True)
    stem = uuid.uuid4().hex
    names = (f"{stem}.{extension}", f"{stem}.thumb.{extension}")
    (folder / names[0]).write_bytes(original_bytes)
    (folder / names[1]).write_bytes(thumbnail_bytes)
    return URL_PREFIX + names[0], URL_PREFIX + names[1]


def _stored(name: str) -> Optional[pathlib.Path]:
    folder = _folder()
    if folder is None or not _NAME.match(name or ""):
        return None
    path = folder / name
    return path if path.is_file() else None


def image_path(name: str) -> Optional[pathlib.Path]:
    """The file of a stored image or thumbnail named ``name`` (the last part of its URL),
    or None: names are checked, so no path outside the image folder is ever returned."""
    return _stored(name)


def thumbnail_path(name: str) -> Optional[pathlib.Path]:
    """The file of a stored thumbnail, or None (same rules as :func:`image_path`)."""
    return _stored(name) if ".thumb." in (name or "") else None


def delete(*urls: Optional[str]) -> None:
    """Remove the stored files behind these image URLs (external URLs are left alone)."""
    for url in urls:
        if url and url.startswith(URL_PREFIX):
            path = _stored(url[len(URL_PREFIX):])
            if path is not None:
                try:
                    path.unlink()
                except OSError as error:  # a stale file must not undo the change
                    log.warning("could not remove reuse image %s: %s", path, error)


def public_url(url: Optional[str]) -> Optional[str]:
    """The absolute address of a stored image (``/reuses/image/...``); others unchanged."""
    if url and url.startswith(URL_PREFIX):
        return (tk.config.get("ckan.site_url") or "").rstrip("/") + url
    return url
