"""ckanext-dcat's profile classes looked up once per process, for the suite's parser and
serializer: its ``RDFProcessor`` looks them up among the installed entry points on every
instance (about 15 ms, once per catalogue page or harvested page)."""
from __future__ import annotations

from typing import Any

__all__ = ["ProfilesLoadedOnce"]

#: Profile classes by profile names, as ckanext-dcat loaded them.
_LOADED: dict[tuple[str, ...], list[Any]] = {}


class ProfilesLoadedOnce:
    """Put before ckanext-dcat's ``RDFParser`` or ``RDFSerializer`` among the bases."""

    def _load_profiles(self, profile_names: list[str]) -> list[Any]:
        key = tuple(profile_names)
        if key not in _LOADED:
            _LOADED[key] = super()._load_profiles(profile_names)  # type: ignore[misc]
        return list(_LOADED[key])
