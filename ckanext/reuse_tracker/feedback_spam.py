"""Spam heuristics for feedback text: too many links, or a word of the configured list."""
from __future__ import annotations

import re
from typing import Optional

import ckan.plugins.toolkit as tk

__all__ = ["count_links", "spam_words", "spam_reason"]

_LINK = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|net|org|info|biz|ru|xyz|top)\b",
                   re.IGNORECASE)


def count_links(text: str) -> int:
    """Addresses in the text: http(s) links, ``www.`` hosts and bare common domains."""
    return len(_LINK.findall(text or ""))


def spam_words() -> list[str]:
    """The configured spam words, lower-cased."""
    return [str(word).lower() for word in tk.config["ckanext.reuse_tracker.feedback_spam_words"]
            if str(word).strip()]


def spam_reason(*texts: Optional[str]) -> Optional[str]:
    """Why these texts look like spam (``links`` or ``word:<w>``), or None."""
    text = "\n".join(t for t in texts if t)
    if count_links(text) > tk.config["ckanext.reuse_tracker.feedback_max_links"]:
        return "links"
    lowered = text.lower()
    for word in spam_words():
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lowered):
            return f"word:{word}"
    return None
