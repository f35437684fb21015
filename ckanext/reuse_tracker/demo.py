"""Demo reuses, feedback and data requests in every state (`ckan reuse-tracker demo load`)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

import click

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context

from ckanext.reuse_tracker import demo_participation
from ckanext.reuse_tracker.model.reuse import Reuse
from ckanext.suite import demo_summary, licences
from ckanext.suite.rows import utcnow

__all__ = ["COMMANDS", "DemoError", "DemoSummary", "REUSES", "USERS", "demo", "load_demo"]

#: The governance demo's dataset the reuses need; its presence means that demo is loaded.
GOVERNANCE_MARKER = "rennes-metropole-budget-primitif-2025"

#: Without the governance demo: a small organization and datasets of our own.
FALLBACK_ORGANIZATION = {
    "name": "commune-exemple-reutilisations",
    "title": "Commune exemple (réutilisations)",
    "description": "Organisation de démonstration des réutilisations : données fictives.",
}
FALLBACK_DATASETS = [
    {"name": "exemple-arbres-remarquables", "title": "Arbres remarquables (exemple)",
     "notes": "Arbres remarquables de la commune : essence, hauteur, localisation. "
              "Données fictives de démonstration."},
    {"name": "exemple-budget-primitif", "title": "Budget primitif (exemple)",
     "notes": "Budget primitif de la commune par chapitre. Données fictives de démonstration."},
]

#: Demo accounts who submit the reuses (plain users: their reuses wait for moderation),
#: give feedback and ask for data.
USERS = [
    {"name": "demo-reutilisateur", "fullname": "Alex Réutilisateur (démo)",
     "email": "demo-reutilisateur@example.org", "password": "Demo-Reutilisateur-2026"},
    {"name": "demo-journaliste", "fullname": "Sam Journaliste (démo)",
     "email": "demo-journaliste@example.org", "password": "Demo-Journaliste-2026"},
    {"name": "demo-habitante", "fullname": "Camille Habitante (démo)",
     "email": "demo-habitante@example.org", "password": "Demo-Habitante-2026"},
    {"name": "demo-association", "fullname": "Association Vélo-Cité (démo)",
     "email": "demo-association@example.org", "password": "Demo-Association-2026"},
]

#: The governance demo's editor of every organization: they handle the demo feedback.
GOVERNANCE_EDITOR = "demo-producteur"

#: The demo reuses. ``datasets`` are the governance demo's; ``fallback`` our own.
REUSES: list[dict[str, Any]] = [
    {
        "name": "carte-des-arbres-de-rennes",
        "title": "Carte des arbres d'alignement de Rennes",
        "url": "https://carto.arbres-rennes.example.org/",
        "type": "visualization", "topic": "environment_and_energy",
        "description": "Une carte interactive des **arbres d'alignement** de Rennes : "
                       "essence, année de plantation et hauteur, rue par rue.\n\n"
                       "Réalisée par un collectif d'habitants à partir des données ouvertes "
                       "de la ville.",
        "submitter": "demo-reutilisateur", "datasets": ["rennes-arbres-alignement"],
        "fallback": ["exemple-arbres-remarquables"],
        "state": "published", "featured": True, "published_days_ago": 200,
    },
    {
        "name": "budget-rennes-en-un-coup-d-oeil",
        "title": "Le budget de Rennes et de sa métropole en un coup d'œil",
        "url": "https://budget-ouvert.example.org/rennes/2025",
        "type": "visualization", "topic": "economy_and_business",
        "description": "Visualisation des budgets primitifs 2025 de la Ville de Rennes et de "
                       "Rennes Métropole : dépenses par fonction, investissement et "
                       "fonctionnement, évolution sur cinq ans.",
        "submitter": "demo-journaliste",
        "datasets": ["rennes-budget-primitif-2025", "rennes-metropole-budget-primitif-2025"],
        "fallback": ["exemple-budget-primitif"],
        "state": "published", "published_days_ago": 120,
    },
    {
        "name": "velo-rennes-stationnement-covoiturage",
        "title": "Vélo Rennes : où garer son vélo, où covoiturer",
        "url": "https://velo-rennes.example.org/app",
        "type": "application", "topic": "transport_and_mobility",
        "description": "Application mobile qui indique les arceaux et abris vélo les plus "
                       "proches et les aires de covoiturage de la métropole.",
        "submitter": "demo-reutilisateur",
        "datasets": ["rennes-metropole-stationnement-velo",
                     "rennes-metropole-lieux-covoiturage"],
        "fallback": ["exemple-arbres-remarquables"],
        "state": "published", "published_days_ago": 45,
    },
    {
        "name": "qualite-air-rennes-article",
        "title": "Qualité de l'air à Rennes : ce que disent les mesures",
        "url": "https://journal-local.example.org/2026/qualite-air-rennes",
        "type": "news_article", "topic": "health",
        "description": "Article de presse locale analysant les mesures de qualité de l'air "
                       "publiées par Rennes Métropole : pics de dioxyde d'azote et de "
                       "particules fines, comparaison entre quartiers.",
        "submitter": "demo-journaliste", "datasets": ["rennes-metropole-qualite-air"],
        "fallback": ["exemple-arbres-remarquables"],
        "state": "published", "published_days_ago": 10,
        # Its address stopped answering: moderators see "lien cassé".
        "link_broken_days_ago": 5,
    },
    {
        "name": "calendrier-decheteries",
        "title": "Calendrier des déchèteries de la métropole",
        "url": "https://decheteries.example.org/rennes",
        "type": "application", "topic": "environment_and_energy",
        "description": "Un calendrier à ajouter à son agenda avec les horaires d'ouverture "
                       "des déchèteries, jours fériés compris.",
        "submitter": "demo-reutilisateur",
        "datasets": ["rennes-metropole-horaires-decheteries"],
        "fallback": ["exemple-arbres-remarquables"],
        "state": "pending",
    },
    {
        "name": "annuaire-entreprises-rennes",
        "title": "Annuaire des meilleures entreprises de Rennes",
        "url": "https://annuaire-pro.example.org/rennes",
        "type": "other", "topic": "economy_and_business",
        "description": "Annuaire commercial d'entreprises locales.",
        "submitter": "demo-reutilisateur", "datasets": ["rennes-marches-publics-2024"],
        "fallback": ["exemple-budget-primitif"],
        "state": "rejected",
        "comment": "Le site est un annuaire commercial qui n'utilise pas les données des "
                   "marchés publics citées.",
    },
    {
        "name": "tableau-de-bord-frequentation-star",
        "title": "Tableau de bord de la fréquentation du réseau STAR",
        "url": "https://star-stats.example.org/",
        "type": "visualization", "topic": "transport_and_mobility",
        "description": "Tableau de bord de la fréquentation des lignes de bus et de métro, "
                       "arrêté par son auteur.",
        "submitter": "demo-journaliste",
        "datasets": ["rennes-metropole-frequentation-reseau-star"],
        "fallback": ["exemple-budget-primitif"],
        "state": "archived", "published_days_ago": 330, "link_broken_days_ago": 45,
    },
]

KINDS = ("users", "organizations", "datasets", "reuses", "feedback", "data requests")


class DemoError(Exception):
    """The portal cannot take the demo reuses as it is (e.g. the governance demo is missing)."""


class DemoSummary(demo_summary.DemoSummary):
    """What a load of the reuse demo created and kept, by kind."""

    kinds = KINDS


def _context(user: str) -> Context:
    # Actions write into their context, so every call gets a fresh one.
    return {"user": user}


def _exists(action: str, user: str, name: str) -> bool:
    try:
        tk.get_action(action)(_context(user), {"id": name})
    except tk.ObjectNotFound:
        return False
    return True


def load_demo() -> DemoSummary:
    """Create the demo reuses, feedback and data requests that are missing, through the
    actions.

    Reuses are found by name, feedback by dataset and text, data requests by title, and
    left untouched when present, so a second run creates nothing. They use the
    governance demo's datasets when that demo is loaded (``ckan opendata-demo load``),
    else a small organization and datasets of their own.
    """
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    summary = DemoSummary()
    governance_demo = _exists("package_show", site_user, GOVERNANCE_MARKER)
    if not governance_demo:
        if p.plugin_loaded("opendata_governance"):
            # Its publication gate would keep our own datasets private.
            raise DemoError("Load the governance demo first: ckan opendata-demo load")
        _ensure_fallback(site_user, summary)
    for user in USERS:
        _ensure_user(site_user, user, summary)
    for spec in REUSES:
        datasets = spec["datasets"] if governance_demo else spec["fallback"]
        _ensure_reuse(site_user, spec, datasets, summary)
    handler = (GOVERNANCE_EDITOR if governance_demo
               and _exists("user_show", site_user, GOVERNANCE_EDITOR) else site_user)
    demo_participation.load_feedback(site_user, handler, governance_demo, summary)
    demo_participation.load_datarequests(site_user, governance_demo,
                                         FALLBACK_ORGANIZATION["name"], summary)
    return summary


def _ensure_fallback(site_user: str, summary: DemoSummary) -> None:
    organization = FALLBACK_ORGANIZATION
    if _exists("organization_show", site_user, organization["name"]):
        summary.record("organizations", organization["name"], created=False)
    else:
        tk.get_action("organization_create")(_context(site_user), dict(organization))
        summary.record("organizations", organization["name"], created=True)
    for spec in FALLBACK_DATASETS:
        if _exists("package_show", site_user, spec["name"]):
            summary.record("datasets", spec["name"], created=False)
            continue
        tk.get_action("package_create")(_context(site_user), {
            **spec, "owner_org": organization["name"], "private": False,
            "license_id": licences.default_id()})
        summary.record("datasets", spec["name"], created=True)


def _ensure_user(site_user: str, spec: dict[str, Any], summary: DemoSummary) -> None:
    if _exists("user_show", site_user, spec["name"]):
        summary.record("users", spec["name"], created=False)
        return
    tk.get_action("user_create")(_context(site_user), dict(spec))
    summary.record("users", spec["name"], created=True)


def _ensure_reuse(site_user: str, spec: dict[str, Any], datasets: list[str],
                  summary: DemoSummary) -> None:
    if Reuse.get(spec["name"]) is not None:
        summary.record("reuses", spec["name"], created=False)
        return
    fields = ("name", "title", "url", "type", "topic", "description")
    reuse = tk.get_action("reuse_create")(_context(spec["submitter"]), {
        **{key: spec[key] for key in fields}, "datasets": datasets})
    state = spec["state"]
    if state in ("published", "archived"):
        tk.get_action("reuse_moderate")(_context(site_user), {
            "id": reuse["id"], "decision": "publish",
            "comment": "Réutilisation vérifiée pour la démonstration."})
    elif state == "rejected":
        tk.get_action("reuse_moderate")(_context(site_user), {
            "id": reuse["id"], "decision": "reject", "comment": spec["comment"]})
    if spec.get("featured"):
        tk.get_action("reuse_update")(_context(site_user), {
            "id": reuse["id"], "featured": True})
    _backdate(reuse["id"], spec)
    summary.record("reuses", spec["name"], created=True)


def _days_ago(days: Optional[int]) -> Optional[dt.datetime]:
    return utcnow() - dt.timedelta(days=days) if days is not None else None


def _backdate(reuse_id: str, spec: dict[str, Any]) -> None:
    """Spread publications over the past months and give some links a history, so that
    the charts and the "broken link" state have something to show. No action sets
    past dates or archives: this is demo data, written once, at creation."""
    row = Reuse.get(reuse_id)
    if row is None:
        return
    published = _days_ago(spec.get("published_days_ago"))
    if published is not None:
        row.published = published
        row.created = min(row.created, published - dt.timedelta(days=2))
    broken = _days_ago(spec.get("link_broken_days_ago"))
    if broken is not None:
        row.link_broken_since = broken
        row.link_checked = utcnow() - dt.timedelta(days=1)
        row.link_failures = 3 + (spec["link_broken_days_ago"] // 7)
        row.link_status = "HTTP 404"
        row.extras = {**(row.extras or {}), "link_checked_url": row.url}
    if spec["state"] == "archived":
        row.state = "archived"
        row.extras = {**(row.extras or {}), "archived_reason": "broken_link",
                      "archived": utcnow().isoformat()}
    model.Session.commit()


@click.group(short_help="Demo reuses, feedback and data requests.")
def demo() -> None:
    """Demo reuses, feedback and data requests: a handful in every state."""


@demo.command("load")
def load() -> None:
    """Create the demo reuses, feedback and data requests (and their authors) that are
    missing; safe to run again."""
    try:
        summary = load_demo()
    except DemoError as error:
        raise click.ClickException(str(error))
    for line in summary.lines():
        click.echo(line)


COMMANDS = [demo]
