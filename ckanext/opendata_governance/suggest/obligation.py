"""The "open by default" obligation (CRPA, art. L312-1-1) and its thresholds."""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins.toolkit as tk

__all__ = ["LEVELS", "MIN_POPULATION", "MIN_AGENTS", "obligation"]

#: The local authorities whose size the décret's thresholds test (DESIGN: "What to open next").
LEVELS = ("commune", "epci")
#: Décret n° 2016-1922: 3,500 inhabitants and 50 agents (full-time equivalent).
MIN_POPULATION = 3500
MIN_AGENTS = 50


def _text(population: int, agents: int) -> str:
    return tk._(
        "With {population} inhabitants and {agents} agents, your authority is under the "
        "\"open by default\" rule (CRPA, art. L312-1-1 and décret n° 2016-1922): it must "
        "publish online, in an open and reusable format, the documents it communicates on "
        "request, the main documents listed in its register of public information, its "
        "databases that it keeps up to date, and the data whose publication is of "
        "economic, social, health or environmental interest.").format(
            population=f"{population:,}".replace(",", "\u202f"),
            agents=f"{agents:,}".replace(",", "\u202f"))


def obligation(level: Optional[str], population: Optional[int],
               agent_count: Optional[int]) -> dict[str, Any]:
    """Whether the rule applies; its text only when it does, never below a threshold."""
    applies = (level in LEVELS and population is not None and agent_count is not None
               and population >= MIN_POPULATION and agent_count >= MIN_AGENTS)
    text = ""
    if applies:
        assert population is not None and agent_count is not None
        text = _text(population, agent_count)
    elif level in LEVELS and agent_count is None and (population or 0) >= MIN_POPULATION:
        text = tk._("Set the number of agents in the organization's settings to know "
                    "whether the \"open by default\" rule applies.")
    return {"applies": bool(applies), "population": population,
            "agent_count": agent_count, "text": text}
