"""Moves datasets whose licence id is an alias (``lov2``, ``fr-lo``, ``other-at``...) to the register's id."""
from __future__ import annotations

import dataclasses
from typing import Mapping, Optional

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.opendata_governance import fingerprint
from ckanext.opendata_governance.model import Event
from ckanext.suite import licences

__all__ = ["Change", "Report", "plan", "migrate"]


@dataclasses.dataclass
class Change:
    """One dataset's licence id, what it becomes, and what happened."""

    package_id: str
    name: str
    old: str
    new: Optional[str]
    error: Optional[str] = None
    #: Whether the dataset's approved sign-off was carried over to the new id.
    signoff_kept: bool = False


@dataclasses.dataclass
class Report:
    """The datasets to move (``new`` set) and those whose licence is not recognised."""

    changes: list[Change]

    @property
    def movable(self) -> list[Change]:
        return [change for change in self.changes if change.new]

    @property
    def unknown(self) -> list[Change]:
        return [change for change in self.changes if not change.new]

    @property
    def failed(self) -> list[Change]:
        return [change for change in self.changes if change.error]


def plan(extra: Optional[Mapping[str, str]] = None) -> Report:
    """Every dataset (any state) whose licence id is not in the register, with its target."""
    register_ids = licences.ids()
    rows = (model.Session.query(model.Package.id, model.Package.name, model.Package.license_id)
            .filter(model.Package.license_id.isnot(None), model.Package.license_id != "",
                    model.Package.license_id.notin_(register_ids))
            .order_by(model.Package.name))
    return Report([Change(package_id, name, old, licences.migration_target(old, extra))
                   for package_id, name, old in rows])


def migrate(extra: Optional[Mapping[str, str]] = None) -> Report:
    """Move every recognised alias to its register id through ``package_patch``.

    A relabelling is not a new licence: a sign-off that covered the dataset just
    before still covers it after, and the move is recorded as a governance event.
    A dataset the portal refuses to patch keeps its id and its error is reported.
    """
    report = plan(extra)
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    for change in report.movable:
        package = model.Package.get(change.package_id)
        approval = fingerprint.matching_approval(package) if package else None
        try:
            tk.get_action("package_patch")(
                {"user": site_user, "ignore_auth": True},
                {"id": change.package_id, "license_id": change.new})
        except (tk.ValidationError, tk.ObjectNotFound) as error:
            model.Session.rollback()
            change.error = str(getattr(error, "error_dict", None) or error)
            continue
        package = model.Package.get(change.package_id)
        if package.license_id != change.new:
            change.error = tk._("The dataset was saved without the new licence")
            continue
        if approval is not None:
            approval.fingerprint, approval.snapshot = fingerprint.current(package)
            change.signoff_kept = True
        model.Session.add(Event(
            organization_id=package.owner_org, package_id=package.id, object_type="dataset",
            object_id=package.id, event_type="licence_migrated",
            details={"from": change.old, "to": change.new, "name": package.name,
                     "signoff_kept": change.signoff_kept}))
        model.Session.commit()
    return report
