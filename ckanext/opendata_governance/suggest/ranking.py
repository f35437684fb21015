"""Ranked opening suggestions: level + peers + reuses + requests, each weighed as documented.

The score of a reference entry the organization does not publish yet is the sum of:

- ``level`` 40 when the entry is expected of the organization's level;
- ``peers`` 5 per peer territory (same level, same département; same région for a
  département; every région for a région) whose public datasets cover it, at most 50;
- ``reused`` 10 per published reuse of those peer datasets, at most 30;
- ``requested`` 15 per open data request to the organization that names it, plus 2 per
  vote on those requests, at most 40.

Entries the organization already publishes (a public dataset whose resource declares the
schema in ``conforms_to``, else whose tags name it), entries it dismissed and entries
scoring 0 are left out. Ties rank by title.
"""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins.toolkit as tk

from ckanext.opendata_governance.suggest import demand, published, territory
from ckanext.opendata_governance.suggest.reference import Entry, entries

__all__ = ["WEIGHTS", "suggestions"]

#: (points per item, most points) of each reason.
WEIGHTS = {"level": (40, 40), "peers": (5, 50), "reused": (10, 30), "requested": (15, 40)}
VOTE_POINTS = 2
#: Peer territories named in a reason's text; every one is in its evidence.
_NAMED = 5

def _points(kind: str, items: int, extra: int = 0) -> int:
    each, most = WEIGHTS[kind]
    return min(each * items + extra, most)


def _level_word(level: str, count: int) -> str:
    words = {"commune": tk.ungettext("commune", "communes", count),
             "epci": tk.ungettext("EPCI", "EPCI", count),
             "departement": tk.ungettext("département", "départements", count),
             "region": tk.ungettext("région", "régions", count)}
    return words.get(level, level)


def _scope_phrase(place: territory.Place) -> str:
    if place.scope_level == "departement":
        return tk._("of the département {name}").format(name=place.scope_name)
    if place.scope_level == "region":
        return tk._("of the région {name}").format(name=place.scope_name)
    return tk._("of France")


def _level_reason(entry: Entry, place: territory.Place) -> dict[str, Any]:
    return {"kind": "level", "points": _points("level", 1), "evidence": [],
            "text": tk._("Expected of a {level} and not published yet: {why}").format(
                level=_level_word(place.level, 1), why=entry.why)}


def _peer_reason(hits: list[published.Hit], place: territory.Place,
                 peers: dict[str, dict[str, Any]]) -> dict[str, Any]:
    hits = sorted(hits, key=lambda hit: (peers[hit.code]["name"], hit.code))
    names = [peers[hit.code]["name"] for hit in hits]
    shown = ", ".join(names[:_NAMED]) + ("…" if len(names) > _NAMED else "")
    return {"kind": "peers", "points": _points("peers", len(hits)),
            "text": tk._("Published by {count} {level} {scope}: {names}").format(
                count=len(hits), level=_level_word(place.level, len(hits)),
                scope=_scope_phrase(place), names=shown),
            "evidence": [{"type": "dataset", "name": hit.name,
                          "territory_id": peers[hit.code]["id"],
                          "territory_name": peers[hit.code]["name"]} for hit in hits]}


def _reuse_reason(reuses: list[dict[str, Any]]) -> dict[str, Any]:
    return {"kind": "reused", "points": _points("reused", len(reuses)),
            "text": tk.ungettext("Reused elsewhere: {count} reuse of peers' datasets",
                                 "Reused elsewhere: {count} reuses of peers' datasets",
                                 len(reuses)).format(count=len(reuses)),
            "evidence": [{"type": "reuse", **reuse} for reuse in reuses]}


def _request_reason(requests: list[dict[str, Any]]) -> dict[str, Any]:
    votes = sum(int(request.get("vote_count") or 0) for request in requests)
    return {"kind": "requested",
            "points": _points("requested", len(requests), VOTE_POINTS * votes),
            "text": tk.ungettext("Asked for: {count} open request ({votes} votes)",
                                 "Asked for: {count} open requests ({votes} votes)",
                                 len(requests)).format(count=len(requests), votes=votes),
            "evidence": [{"type": "datarequest", "id": request["id"],
                          "title": request["title"],
                          "vote_count": request.get("vote_count") or 0}
                         for request in requests]}


def _peer_evidence(place: Optional[territory.Place], catalogue: list[Entry]
                   ) -> tuple[dict[str, dict[str, Any]], list[published.Hit]]:
    if place is None:
        return {}, []
    peers = territory.peers_of(place)
    if not peers:
        return peers, []
    return peers, published.hits(published.datasets(place.level, peers), catalogue)


def _reuses_by_entry(peer_hits: list[published.Hit], place: Optional[territory.Place],
                     peers: dict[str, Any], catalogue: list[Entry]
                     ) -> dict[str, list[dict[str, Any]]]:
    """Published reuses of peer datasets, by the entry those datasets cover."""
    if place is None or not peer_hits:
        return {}
    reused = demand.reused_datasets()
    if not reused:
        return {}
    scope = published.datasets(place.level, peers, names=list(reused))
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for hit in published.hits(scope, catalogue):
        for reuse in reused.get(hit.name, []):
            found.setdefault(hit.key, {})[reuse["id"]] = reuse
    return {key: list(reuses.values()) for key, reuses in found.items()}


def suggestions(organization_id: str, place: Optional[territory.Place],
                dismissed: set[str]) -> list[dict[str, Any]]:
    """The organization's suggestions, highest score first."""
    catalogue = entries()
    own = {hit.key for hit in published.hits(
        published.datasets(organization_id=organization_id), catalogue)}
    peers, peer_hits = _peer_evidence(place, catalogue)
    reuses = _reuses_by_entry(peer_hits, place, peers, catalogue)
    requests = demand.open_requests(organization_id)
    results = []
    for entry in catalogue:
        if entry.key in own or entry.key in dismissed:
            continue
        reasons = []
        if place is not None and place.level in entry.levels:
            reasons.append(_level_reason(entry, place))
        covering = [hit for hit in peer_hits if hit.key == entry.key]
        if covering and place is not None:
            reasons.append(_peer_reason(covering, place, peers))
        if reuses.get(entry.key):
            reasons.append(_reuse_reason(reuses[entry.key]))
        asking = [request for request in requests if entry.mentioned_in(
            f"{request.get('title') or ''} {request.get('description') or ''}")]
        if asking:
            reasons.append(_request_reason(asking))
        score = sum(reason["points"] for reason in reasons)
        if score:
            results.append({**entry.as_dict(), "score": score, "reasons": reasons})
    results.sort(key=lambda item: (-item["score"], item["title"]))
    return results
