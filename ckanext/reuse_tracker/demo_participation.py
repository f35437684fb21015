"""Demo feedback and data requests in every state, through the actions, for `demo load`."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional, Protocol

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context

from ckanext.reuse_tracker.model.datarequest import (
    DataRequest, DataRequestComment, DataRequestFollower, DataRequestVote)
from ckanext.reuse_tracker.model.feedback import Feedback, FeedbackNote
from ckanext.suite.rows import utcnow

__all__ = ["FEEDBACK", "DATAREQUESTS", "load_feedback", "load_datarequests"]


class Recorder(Protocol):
    def record(self, kind: str, name: str, created: bool) -> None: ...


#: Demo feedback. ``dataset``: the governance demo's; ``fallback``: the reuse demo's own.
#: ``days_ago``: when it was posted; ``response_after``: days until the first response.
FEEDBACK: list[dict[str, Any]] = [
    {
        "dataset": "rennes-metropole-budget-primitif-2025",
        "fallback": "exemple-budget-primitif",
        "author": "demo-journaliste", "kind": "question",
        "body": "Les montants du chapitre 65 sont-ils exprimés en euros TTC ou HT ? "
                "La somme des lignes ne correspond pas au total voté.",
        "days_ago": 34, "response_after": 3, "state": "resolved",
        "answer": "Les montants sont en euros TTC. L'écart vient des restes à réaliser, "
                  "ajoutés dans une colonne dédiée depuis la dernière mise à jour.",
    },
    {
        "dataset": "rennes-metropole-qualite-air",
        "fallback": "exemple-arbres-remarquables",
        "author": "demo-habitante", "kind": "problem",
        "body": "Les mesures de la station Laënnec s'arrêtent le 12 juin : la colonne "
                "« no2 » est vide pour toute la fin du mois.",
        "reference": "station Laënnec, colonne no2",
        "days_ago": 9, "response_after": 1, "state": "in_progress",
        "note": "Capteur en panne du 12 au 19 juin : voir avec Air Breizh si les "
                "valeurs peuvent être reconstituées.",
    },
    {
        "dataset": "rennes-metropole-horaires-decheteries",
        "fallback": "exemple-arbres-remarquables",
        "author": "demo-association", "kind": "update_request",
        "body": "Les horaires d'été des déchèteries ne sont pas encore publiés, alors "
                "qu'ils s'appliquent depuis le 1er avril.",
        # Past the 15-day response target, without any answer: overdue.
        "days_ago": 21, "state": "new",
    },
    {
        "dataset": "rennes-arbres-alignement",
        "fallback": "exemple-arbres-remarquables",
        "author": "demo-reutilisateur", "kind": "thanks", "rating": 5,
        "body": "Merci pour ce jeu de données très complet : il nous a permis de réaliser "
                "la carte des arbres de notre quartier.",
        "days_ago": 60, "response_after": 2, "state": "resolved",
        "answer": "Merci à vous ! Votre carte est désormais citée parmi les réutilisations.",
    },
    {
        "dataset": "rennes-arbres-alignement",
        "fallback": "exemple-arbres-remarquables",
        "author": "demo-journaliste", "kind": "question", "rating": 4,
        "body": "La hauteur des arbres est-elle mesurée ou estimée ? Et à quelle date ?",
        "days_ago": 5, "state": "new",
    },
    {
        "dataset": "rennes-metropole-marches-publics-2024",
        "fallback": "exemple-budget-primitif",
        "author": "demo-association", "kind": "problem",
        "body": "Plusieurs marchés ont un numéro SIRET à 13 chiffres au lieu de 14 : le "
                "zéro initial semble avoir été perdu.",
        "days_ago": 25, "response_after": 4, "state": "resolved",
        "answer": "C'était bien le zéro initial, perdu lors de l'export depuis le tableur. "
                  "Le fichier est corrigé.",
    },
    {
        "dataset": "rennes-metropole-frequentation-reseau-star",
        "fallback": "exemple-budget-primitif",
        "author": "demo-reutilisateur", "kind": "update_request",
        "body": "Pourriez-vous publier la fréquentation du deuxième trimestre ? Seul le "
                "premier trimestre 2025 est disponible.",
        "days_ago": 12, "response_after": 6, "state": "acknowledged",
    },
    {
        "dataset": "rennes-budget-primitif-2025",
        "fallback": "exemple-budget-primitif",
        "author": "demo-habitante", "kind": "thanks", "rating": 4,
        "body": "Enfin un budget lisible ! Une version par quartier serait un plus.",
        "days_ago": 3, "state": "new",
    },
]

#: Demo data requests. ``organization``: the governance demo's target organization
#: (the reuse demo's own otherwise); ``answer``: the dataset publishing it.
DATAREQUESTS: list[dict[str, Any]] = [
    {
        "title": "Horaires d'ouverture des équipements sportifs",
        "description": "Les horaires d'ouverture des gymnases, piscines et stades "
                       "municipaux, avec les périodes de fermeture (vacances, travaux). "
                       "Idéalement mis à jour à chaque saison sportive.",
        "organization": "rennes", "theme": "culture_and_recreation",
        "author": "demo-association", "days_ago": 40, "state": "open",
        "voters": ["demo-reutilisateur", "demo-journaliste", "demo-habitante",
                   "demo-association"],
        "comments": [
            ("demo-habitante", 30, "Très utile pour les clubs qui cherchent des créneaux."),
            ("demo-reutilisateur", 12, "Nous pourrions les intégrer à notre application "
                                       "de sorties en famille."),
        ],
    },
    {
        "title": "Emplacements des défibrillateurs",
        "description": "La liste des défibrillateurs automatisés externes (DAE) installés "
                       "dans les bâtiments publics, avec leur adresse, leur accessibilité "
                       "(horaires, intérieur ou extérieur) et leurs coordonnées "
                       "géographiques.",
        "organization": "rennes-metropole", "theme": "health",
        "author": "demo-habitante", "days_ago": 25, "state": "under_review",
        "voters": ["demo-reutilisateur", "demo-association", "demo-journaliste"],
        "state_comment": "Nous recensons les appareils avec les communes membres.",
        "state_after": 4,
    },
    {
        "title": "Menus des cantines scolaires",
        "description": "Les menus servis dans les restaurants scolaires, semaine par "
                       "semaine, avec les allergènes et la part de produits bio et locaux.",
        "organization": "cesson-sevigne", "theme": "food_and_agriculture",
        "author": "demo-reutilisateur", "days_ago": 50, "state": "planned",
        "voters": ["demo-habitante", "demo-association"],
        "state_comment": "Publication prévue à la rentrée, au format du schéma national "
                         "des menus de restauration collective.",
        "state_after": 10,
    },
    {
        "title": "Arbres d'alignement de la ville",
        "description": "L'inventaire des arbres d'alignement : essence, année de plantation, "
                       "hauteur et état sanitaire.",
        "organization": "rennes", "theme": "environment_and_energy",
        "author": "demo-reutilisateur", "days_ago": 90, "state": "published",
        "answer": "rennes-arbres-alignement", "fallback_answer": "exemple-arbres-remarquables",
        "voters": ["demo-habitante"],
        "state_comment": "Le jeu de données est en ligne et mis à jour chaque trimestre.",
        "state_after": 30,
    },
    {
        "title": "Salaires nominatifs des agents municipaux",
        "description": "La rémunération de chaque agent de la commune, avec son nom et "
                       "son poste.",
        "organization": "rennes", "theme": "politics_and_public_life",
        "author": "demo-journaliste", "days_ago": 70, "state": "declined",
        "reason": "Ces données sont personnelles et ne peuvent pas être publiées. Le "
                  "rapport social unique, qui donne les rémunérations par catégorie, est "
                  "publié chaque année.",
        "state_after": 6, "voters": [],
    },
    {
        "title": "Accessibilité des arrêts de bus aux fauteuils roulants",
        "description": "Pour chaque arrêt de bus : quai surélevé, annonces sonores, "
                       "cheminement accessible depuis le trottoir.",
        "organization": None, "theme": "transport_and_mobility",
        "author": "demo-habitante", "days_ago": 8, "state": "open",
        "voters": ["demo-association"],
    },
]


def _context(user: str) -> Context:
    # Actions write into their context, so every call gets a fresh one.
    return {"user": user}


def _package_id(name: str) -> Optional[str]:
    # Demo users only see public datasets (one still under review may be private).
    package = model.Package.get(name)
    if package is None or package.state != "active" or package.private:
        return None
    return package.id


def load_feedback(site_user: str, handler: str, governance_demo: bool,
                  summary: Recorder) -> None:
    """Post the demo feedback that is missing (found by dataset and text), handled by
    ``handler`` (an editor of the datasets), then date it back."""
    for spec in FEEDBACK:
        package_id = _package_id(spec["dataset"] if governance_demo else spec["fallback"])
        if package_id is None:
            continue
        label = spec["body"][:40]
        if model.Session.query(Feedback.id).filter_by(
                package_id=package_id, body=spec["body"]).first() is not None:
            summary.record("feedback", label, created=False)
            continue
        data = {"package_id": package_id, "kind": spec["kind"], "body": spec["body"]}
        data.update({key: spec[key] for key in ("rating", "reference") if key in spec})
        item = tk.get_action("feedback_create")(_context(spec["author"]), data)
        if spec.get("answer"):
            tk.get_action("feedback_respond")(_context(handler), {
                "id": item["id"], "body": spec["answer"], "state": spec["state"]})
        elif spec["state"] != "new":
            tk.get_action("feedback_update_status")(_context(handler), {
                "id": item["id"], "state": spec["state"], "note": spec.get("note")})
        _backdate_feedback(item["id"], spec)
        summary.record("feedback", label, created=True)
    model.Session.commit()


def _backdate_feedback(feedback_id: str, spec: dict[str, Any]) -> None:
    """Spread the posts over past weeks, with their response times, for the figures."""
    row = Feedback.get(feedback_id)
    if row is None:
        return
    row.created = utcnow() - dt.timedelta(days=spec["days_ago"])
    if "response_after" in spec:
        responded = row.created + dt.timedelta(days=spec["response_after"])
        row.first_response = responded
        if row.answered is not None:
            row.answered = responded
        for note in model.Session.query(FeedbackNote).filter_by(feedback_id=feedback_id):
            note.created = responded
    row.modified = max(row.created, row.first_response or row.created)


def load_datarequests(site_user: str, governance_demo: bool, fallback_organization: str,
                      summary: Recorder) -> None:
    """Create the demo data requests that are missing (found by title), with their votes,
    comments and status, moderated by the site user, then date them back."""
    for spec in DATAREQUESTS:
        if model.Session.query(DataRequest.id).filter_by(
                title=spec["title"]).first() is not None:
            summary.record("data requests", spec["title"], created=False)
            continue
        organization = spec["organization"]
        if organization and not governance_demo:
            organization = fallback_organization
        if organization and model.Group.get(organization) is None:
            organization = None
        data = {"title": spec["title"], "description": spec["description"],
                "theme": spec["theme"]}
        if organization:
            data["organization_id"] = organization
        request = tk.get_action("datarequest_create")(_context(spec["author"]), data)
        for voter in spec.get("voters", []):
            tk.get_action("datarequest_vote")(_context(voter), {"id": request["id"]})
        for author, _days, body in spec.get("comments", []):
            tk.get_action("datarequest_comment_create")(_context(author), {
                "id": request["id"], "body": body})
        _move(site_user, request["id"], spec, governance_demo)
        _backdate_request(request["id"], spec)
        summary.record("data requests", spec["title"], created=True)
    model.Session.commit()


def _move(site_user: str, request_id: str, spec: dict[str, Any],
          governance_demo: bool) -> None:
    state, comment = spec["state"], spec.get("state_comment")
    if state in ("under_review", "planned"):
        tk.get_action("datarequest_update")(_context(site_user), {
            "id": request_id, "state": state, "comment": comment})
    elif state == "published":
        answer = spec["answer"] if governance_demo else spec["fallback_answer"]
        tk.get_action("datarequest_close")(_context(site_user), {
            "id": request_id, "state": "published", "package_id": answer,
            "comment": comment})
    elif state == "declined":
        tk.get_action("datarequest_close")(_context(site_user), {
            "id": request_id, "state": "declined", "reason": spec["reason"],
            "comment": comment})


def _backdate_request(request_id: str, spec: dict[str, Any]) -> None:
    """Date the request, its votes and comments back over the past weeks."""
    request = DataRequest.get(request_id)
    if request is None:
        return
    created = utcnow() - dt.timedelta(days=spec["days_ago"])
    request.created = request.modified = created
    moved = created + dt.timedelta(days=spec.get("state_after", 0))
    bodies = {body: days for _author, days, body in spec.get("comments", [])}
    for comment in model.Session.query(DataRequestComment).filter_by(
            datarequest_id=request_id):
        if comment.state_change:
            comment.created = moved
        elif comment.body in bodies:
            comment.created = utcnow() - dt.timedelta(days=bodies[comment.body])
        request.modified = max(request.modified, comment.created)
    if request.closed is not None:
        request.closed = moved
    for table in (DataRequestVote, DataRequestFollower):
        for row in model.Session.query(table).filter_by(datarequest_id=request_id):
            row.created = max(created, row.created - dt.timedelta(days=spec["days_ago"] // 2))
