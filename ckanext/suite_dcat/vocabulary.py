"""The URIs the suite's DCAT profile writes and reads: EU frequencies, INSEE territories."""
from __future__ import annotations

import re
from typing import Optional

__all__ = ["FREQUENCY_AUTHORITY", "FRANCE", "frequency_uri", "frequency_code",
           "territory_uri", "territory_of", "language_uri", "file_type_uri", "media_type_uri"]

#: The EU Publications Office's frequency authority list (``update_frequency`` codes).
FREQUENCY_AUTHORITY = "http://publications.europa.eu/resource/authority/frequency/"
#: France in the EU country authority list: the ``national`` level.
FRANCE = "http://publications.europa.eu/resource/authority/country/FRA"
#: INSEE's linked-data URIs of the Code officiel géographique, by territorial level;
#: an EPCI is named by its SIREN, as in the portal.
_INSEE = "http://id.insee.fr/geo/"
_INSEE_KINDS = {"commune": "commune", "epci": "intercommunalite",
                "departement": "departement", "region": "region"}
#: The EU language authority list, for the locales the portal offers.
_LANGUAGES = {"fr": "FRA", "en": "ENG", "de": "DEU", "es": "SPA", "it": "ITA", "br": "BRE"}
_LANGUAGE_AUTHORITY = "http://publications.europa.eu/resource/authority/language/"
_FILE_TYPE_AUTHORITY = "http://publications.europa.eu/resource/authority/file-type/"
_IANA = "https://www.iana.org/assignments/media-types/"
_FILE_TYPE = re.compile(r"^[A-Z0-9][A-Z0-9_]{0,19}$")
_MEDIA_TYPE = re.compile(r"^[a-z]+/[a-z0-9][a-z0-9.+_-]{0,100}$")
_CODE = re.compile(r"^[0-9A-Z]{1,9}$")
_FREQUENCY = re.compile(r"^[A-Z][A-Z0-9_]{1,30}$")


def frequency_uri(code: object) -> Optional[str]:
    """The EU URI of an ``update_frequency`` code (``MONTHLY``), or None."""
    if not isinstance(code, str) or not _FREQUENCY.match(code.strip().upper()):
        return None
    return FREQUENCY_AUTHORITY + code.strip().upper()


def frequency_code(value: object) -> Optional[str]:
    """The code of an EU frequency URI, or of a bare code; None for anything else."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.startswith(FREQUENCY_AUTHORITY):
        text = text[len(FREQUENCY_AUTHORITY):]
    elif "/" in text:
        return None
    text = text.upper()
    return text if _FREQUENCY.match(text) else None


def territory_uri(level: object, code: object) -> Optional[str]:
    """The URI of a territory (``commune``, ``35238``), or None when either is unknown."""
    if level == "national":
        return FRANCE
    kind = _INSEE_KINDS.get(level) if isinstance(level, str) else None
    if kind is None or not isinstance(code, str) or not _CODE.match(code.strip()):
        return None
    return f"{_INSEE}{kind}/{code.strip()}"


def territory_of(uri: object) -> Optional[tuple[str, str]]:
    """``(level, code)`` of a territory URI this module writes, or None."""
    if not isinstance(uri, str):
        return None
    if uri == FRANCE:
        return "national", "FR"
    if not uri.startswith(_INSEE):
        return None
    kind, _, code = uri[len(_INSEE):].partition("/")
    levels = {value: key for key, value in _INSEE_KINDS.items()}
    if kind not in levels or not _CODE.match(code):
        return None
    return levels[kind], code


def language_uri(locale: object) -> Optional[str]:
    """The EU URI of a CKAN locale (``fr``, ``fr_FR``), or None."""
    if not isinstance(locale, str):
        return None
    code = _LANGUAGES.get(locale.split("_")[0].lower())
    return _LANGUAGE_AUTHORITY + code if code else None


def file_type_uri(fmt: object) -> Optional[str]:
    """The EU file-type URI of a resource format (``CSV``, ``geojson``), or None."""
    if not isinstance(fmt, str):
        return None
    code = fmt.strip().upper().replace(" ", "_")
    return _FILE_TYPE_AUTHORITY + code if _FILE_TYPE.match(code) else None


def media_type_uri(mimetype: object) -> Optional[str]:
    """The IANA URI of a media type (``text/csv``), or None."""
    if not isinstance(mimetype, str):
        return None
    text = mimetype.split(";")[0].strip().lower()
    return _IANA + text if _MEDIA_TYPE.match(text) else None
