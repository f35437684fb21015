"""Markers of messages that another package renders and translates (CKAN core,
ckanext-harvest...): scripts/i18n-extract.sh finds their calls, so that a plugin's French
catalogue keeps them, and they return their message untouched."""
from __future__ import annotations

__all__ = ["N_", "ngettext"]


def N_(message: str) -> str:
    """Marks a message for extraction; whoever renders it translates it."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """Marks a message with a plural form for extraction, as ``N_`` does."""
    return singular if count == 1 else plural
