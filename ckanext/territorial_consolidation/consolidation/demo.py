"""Demo consolidation: SCDL subventions of the demo EPCI's communes (Rennes Métropole)."""
from __future__ import annotations

import io
import json
import logging
import pathlib
import random
from typing import Any, Optional

from werkzeug.datastructures import FileStorage

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.suite import licences

__all__ = ["SUBVENTIONS_URL", "DEMO_EPCI", "DEMO_COMMUNES", "load_consolidation_demo"]

log = logging.getLogger(__name__)

SUBVENTIONS_URL = "https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json"
DEMO_EPCI = "epci:243500139"
#: Demo organization → (commune SIRET, file encoding, delimiter, decimal comma).
DEMO_COMMUNES = {
    "rennes": ("21350238800019", "utf-8", ",", False),
    "cesson-sevigne": ("21350051500016", "cp1252", ";", True),
    "bruz": ("21350047300014", "utf-8", ",", False),
}
_HEADER = ["nomAttribuant", "idAttribuant", "dateConvention", "referenceDecision",
           "nomBeneficiaire", "idBeneficiaire", "rnaBeneficiaire", "objet", "montant",
           "nature", "conditionsVersement", "datesPeriodeVersement", "idRAE",
           "notificationUE", "pourcentageSubvention", "dispositifAide"]
_BENEFICIAIRES = ("Cercle Paul Bert", "Comité des fêtes", "Amicale laïque", "Club de hand",
                  "Chorale du bourg", "Association des parents d'élèves", "Secours populaire",
                  "Les Jardins partagés", "Vélo en ville", "Théâtre de poche")
_OBJETS = ("Fonctionnement", "Fête de quartier", "Stage sportif", "Festival", "Aide alimentaire")


def _schema() -> dict[str, Any]:
    """The schema, from the copy the governance plugin ships when installed (no network)."""
    try:
        import ckanext.opendata_governance as governance

        path = pathlib.Path(governance.__file__).parent / "table_schemas" / \
            "scdl-subventions-2.1.1.json"
        return json.loads(path.read_text(encoding="utf-8"))
    except (ImportError, OSError, ValueError):
        return {}


def _csv(organization: str) -> bytes:
    """Fictional grants of a commune; Cesson-Sévigné's file has two faulty rows."""
    siret, encoding, delimiter, comma = DEMO_COMMUNES[organization]
    rng = random.Random(organization)
    lines = [_HEADER]
    for number in range(12):
        montant = f"{rng.randint(5, 400) * 100}.{rng.choice(('00', '50'))}"
        lines.append([
            f"Ville de {organization.replace('-', ' ').title()}", siret,
            f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", f"DEL-2025-{number:03d}",
            rng.choice(_BENEFICIAIRES), "", f"W35{rng.randint(1000000, 9999999)}",
            rng.choice(_OBJETS), montant.replace(".", ",") if comma else montant,
            "aide en numéraire", "unique", "2025-01-01/2025-12-31", "", "non",
            f"0.{rng.randint(10, 90)}", ""])
    if organization == "cesson-sevigne":
        lines[3][1] = "2135005150"  # a SIRET too short
        lines[5][2] = "31/13/2025"  # no thirteenth month
    text = "\n".join(delimiter.join(cells) for cells in lines) + "\n"
    return text.encode(encoding)


def _site() -> str:
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


def _publish(site_user: str, name: str, package: dict[str, Any]) -> None:
    """Make the demo dataset public, through the sign-off when the gate is loaded."""
    if not package.get("private"):
        return
    if not p.plugin_loaded("opendata_governance"):
        tk.get_action("package_patch")({"user": site_user}, {"id": name, "private": False})
        return
    # The requester may never decide: the governance demo's producer asks, the site decides.
    requester = site_user
    try:
        requester = tk.get_action("user_show")({"ignore_auth": True},
                                               {"id": "demo-producteur"})["name"]
    except tk.ObjectNotFound:
        pass
    try:
        service = _owner_service(site_user, package)
        if service and package.get("owner_service") != service:
            tk.get_action("package_patch")({"user": site_user},
                                           {"id": name, "owner_service": service})
        review = tk.get_action("governance_review_request")(
            {"user": requester}, {"id": name, "comment": "Démonstration.", "publish": True})
        decided = tk.get_action("governance_review_decide")({"user": site_user}, {
            "id": review["id"], "decision": "approve", "override": True,
            "comment": "Données fictives de démonstration.",
            # Every item of the organization's checklist, whichever it is.
            "checklist": {item["key"]: "ok" for item in review["checklist_items"]}})
        if not decided.get("published"):
            log.warning("demo dataset %s stays private: %s", name, decided.get("publish_error"))
    except (tk.ValidationError, tk.NotAuthorized) as error:
        log.warning("demo dataset %s stays private: %s", name, error)


def _owner_service(site_user: str, package: dict[str, Any]) -> Optional[str]:
    """The dataset's owner service, or the first one of its organization (a sign-off needs one)."""
    if package.get("owner_service"):
        return package["owner_service"]
    services = tk.get_action("governance_service_list")(
        {"user": site_user}, {"organization_id": package["owner_org"], "active_only": True,
                              "include_dataset_count": False})
    results = services["results"] if isinstance(services, dict) else services
    return results[0]["name"] if results else None


def _ensure_source(site_user: str, organization: str) -> Optional[str]:
    name = f"{organization}-subventions-2025"
    try:
        package = tk.get_action("package_show")({"user": site_user}, {"id": name})
    except tk.ObjectNotFound:
        try:
            package = tk.get_action("package_create")({"user": site_user}, {
                "name": name, "owner_org": organization, "private": True,
                "title": f"Subventions 2025 — {organization.replace('-', ' ').title()}",
                "notes": "Subventions versées aux associations (données fictives de "
                         "démonstration, au format SCDL subventions 2.1.1).",
                "license_id": licences.default_id()})
        except (tk.ValidationError, tk.ObjectNotFound) as error:
            log.warning("demo dataset %s not created: %s", name, error)
            return None
        filename = f"subventions-{organization}-2025.csv"
        tk.get_action("resource_create")({"user": site_user}, {
            "package_id": package["id"], "name": filename, "format": "CSV",
            "conforms_to": SUBVENTIONS_URL,
            "upload": FileStorage(io.BytesIO(_csv(organization)), filename=filename,
                                  content_type="text/csv")})
        package = tk.get_action("package_show")({"user": site_user}, {"id": name})
    _publish(site_user, name, package)
    return name


def load_consolidation_demo(run: bool = True) -> dict[str, Any]:
    """Set up (idempotently) and run the demo consolidation of SCDL subventions.

    Loads the demo territories when T1's demo module is there, publishes a small
    subventions file for each demo commune (Rennes, Cesson-Sévigné in CP1252 with ``;``
    and decimal commas and two faulty rows, Bruz), creates the consolidation
    ``subventions-rennes-metropole`` of ``rennes-metropole`` over ``epci:243500139``,
    and runs it now.

    :returns: ``{"sources": [dataset names], "consolidation": dict, "run": dict or None}``
    """
    site_user = _site()
    try:
        from ckanext.territorial_consolidation import demo

        demo.load_territories()
    except ImportError:
        pass
    sources = [name for name in (_ensure_source(site_user, org) for org in DEMO_COMMUNES)
               if name]
    context = {"user": site_user}
    try:
        consolidation = tk.get_action("consolidation_show")(
            dict(context), {"id": "subventions-rennes-metropole"})
    except tk.ObjectNotFound:
        consolidation = tk.get_action("consolidation_create")(dict(context), {
            "name": "subventions-rennes-metropole",
            "title": "Subventions des communes de Rennes Métropole",
            "organization_id": "rennes-metropole", "schema_url": SUBVENTIONS_URL,
            "schema": _schema() or None, "scope_territory_id": DEMO_EPCI,
            "dedup_key": ["idAttribuant", "dateConvention", "nomBeneficiaire", "objet"],
            "schedule": "weekly"})
    result = None
    if run:
        from ckanext.territorial_consolidation.consolidation import run as runner

        result = runner.execute(consolidation["id"])
    return {"sources": sources, "consolidation": consolidation, "run": result}
