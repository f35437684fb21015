"""Mails to the owners of sources a run found invalid: what is wrong, and where to read more."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.suite import mail as outbox
from ckanext.suite.site import service_contacts

__all__ = ["notify_owners"]

#: Error kinds listed in a mail; the consolidation page has the rest.
_LISTED = 10


def _owners(package: model.Package) -> list[tuple[str, str]]:
    """The dataset's owner service (governance), its maintainer and the admins of its
    organization, with an e-mail."""
    recipients = service_contacts(package.extras.get("owner_service"), package.owner_org)
    if package.maintainer_email:
        recipients.append((package.maintainer or package.maintainer_email,
                           package.maintainer_email))
    admins = (model.Session.query(model.User)
              .join(model.Member, model.Member.table_id == model.User.id)
              .filter(model.Member.group_id == package.owner_org,
                      model.Member.table_name == "user", model.Member.capacity == "admin",
                      model.Member.state == "active", model.User.state == "active"))
    for user in admins:
        if user.email:
            recipients.append((user.fullname or user.name, user.email))
    return recipients


def notify_owners(consolidation: Any, report: dict[str, Any]) -> int:
    """Mail the owners of each source read anew and found invalid or partially valid.

    Unchanged sources are not mailed again. The mails go to the outbox, so a mail server
    that is down never fails the run. Returns the number of mails queued.
    """
    site = tk.config.get("ckan.site_title") or tk.config["ckan.site_url"]
    page = tk.config["ckan.site_url"].rstrip("/") + f"/consolidation/{consolidation.name}"
    sent = 0
    for source in report.get("sources", []):
        if source.get("reused") or source.get("verdict") not in ("invalid", "partial"):
            continue
        package = model.Package.get(source.get("package_id") or "")
        if package is None:
            continue
        subject = tk._("[{site}] A file does not follow the schema {schema}").format(
            site=site, schema=report.get("schema", {}).get("name") or consolidation.schema_url)
        lines = [
            tk._("The consolidation \"{title}\" read the file \"{file}\" of your dataset "
                 "\"{dataset}\".").format(title=consolidation.title, file=source.get("title"),
                                          dataset=package.title or package.name),
            tk._("{rejected} of its {rows} rows do not follow the schema {url} and were left "
                 "out.").format(rejected=source.get("rejected", 0),
                                rows=source.get("rows_in", 0), url=consolidation.schema_url),
            "",
        ]
        counts = sorted((source.get("error_counts") or {}).items(), key=lambda item: -item[1])
        lines += [f"- {kind}: {count}" for kind, count in counts[:_LISTED]]
        lines += ["", tk._("Details: {url}").format(url=page)]
        sent += len(outbox.queue("territorial_consolidation", _owners(package), subject,
                                 "\n".join(lines)))
    return sent
