"""The fixed lists of reuse types and topics, with their labels (translated at display)."""
from __future__ import annotations

from typing import Optional

import ckan.plugins.toolkit as tk

from ckanext.reuse_tracker.model.reuse import REUSE_TYPES

__all__ = ["TYPES", "TOPICS", "type_label", "topic_label", "type_options", "topic_options"]


def N_(message: str) -> str:
    """Mark a label for extraction; it is translated when displayed."""
    return message


#: udata's reuse types, in display order.
TYPES: dict[str, str] = {
    "application": N_("Application"),
    "visualization": N_("Visualization"),
    "api": N_("API"),
    "news_article": N_("News article"),
    "paper": N_("Paper"),
    "idea": N_("Idea"),
    "hardware": N_("Connected device"),
    "other": N_("Other"),
}
assert tuple(TYPES) == REUSE_TYPES

#: udata's reuse topics, in display order.
TOPICS: dict[str, str] = {
    "health": N_("Health"),
    "transport_and_mobility": N_("Transport and mobility"),
    "housing_and_development": N_("Housing and urban development"),
    "food_and_agriculture": N_("Food and agriculture"),
    "culture_and_recreation": N_("Culture and recreation"),
    "economy_and_business": N_("Economy and business"),
    "environment_and_energy": N_("Environment and energy"),
    "work_and_training": N_("Work and training"),
    "politics_and_public_life": N_("Politics and public life"),
    "safety_and_security": N_("Safety and security"),
    "education_and_research": N_("Education and research"),
    "society_and_demography": N_("Society and demography"),
    "law_and_justice": N_("Law and justice"),
    "open_data_tools": N_("Open data tools"),
    "others": N_("Other topics"),
}


def type_label(value: Optional[str]) -> Optional[str]:
    """The translated label of a reuse type (the value itself when unknown)."""
    if not value:
        return None
    return tk._(TYPES[value]) if value in TYPES else value


def topic_label(value: Optional[str]) -> Optional[str]:
    """The translated label of a topic (the value itself when unknown)."""
    if not value:
        return None
    return tk._(TOPICS[value]) if value in TOPICS else value


def type_options() -> list[dict[str, str]]:
    """``[{"value", "text"}]`` of every type, for a select field."""
    return [{"value": key, "text": tk._(label)} for key, label in TYPES.items()]


def topic_options() -> list[dict[str, str]]:
    """``[{"value", "text"}]`` of every topic, for a select field."""
    return [{"value": key, "text": tk._(label)} for key, label in TOPICS.items()]
