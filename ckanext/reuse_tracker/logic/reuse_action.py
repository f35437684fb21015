"""Reuse actions: create, update, delete, show, list, moderate."""
from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any, Optional

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.reuse_tracker import antispam, datastore_refs, images, reuse_mail
from ckanext.reuse_tracker.logic import reuse_auth, reuse_checks as checks
from ckanext.reuse_tracker.logic import reuse_dictize as dictize
from ckanext.reuse_tracker.logic import reuse_schema as schema
from ckanext.reuse_tracker.logic.reuse_auth import is_submitter, moderated_reuse_ids
from ckanext.reuse_tracker.model import Reuse, ReuseDataset
from ckanext.reuse_tracker.reuse_visibility import (
    PUBLIC_STATES, can_read_dataset, current_user, may_see, moderated, own_or_moderated,
    readable_datasets)
from ckanext.suite.actions import commit
from ckanext.suite.rows import utcnow

#: One action per auth function of reuse_auth, of the same name.
__all__ = reuse_auth.__all__

log = logging.getLogger(__name__)


def reuse_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Propose a reuse of the portal's datasets.

    A logged-in user's reuse waits for moderation (``pending``); sysadmins'
    and trusted users' (``ckanext.reuse_tracker.trusted_users``) are published
    at once. Visitors may propose reuses only when
    ``ckanext.reuse_tracker.anonymous_submission`` is on, through a web
    request, with the honeypot field left empty and within the per-IP rate limit.

    :param title: plain text (at most 200 characters)
    :param url: the reuse's address, http(s) only; normalised (lower-case scheme and
        host, no default port, fragment or trailing slash) and unique: a URL already
        submitted is refused with the name of the existing reuse (``url_existing``)
    :param description: Markdown (rendered sanitised)
    :param type: one of ``application``, ``visualization``, ``api``, ``news_article``,
        ``paper``, ``idea``, ``hardware``, ``other``
    :param topic: one of the fixed topics (optional)
    :param datasets: ids or names of the datasets used (a list, or a comma-separated
        string), each one the submitter can see
    :param image_url: an http(s) image address (optional), or
    :param image_upload: an uploaded PNG, JPEG, WebP or GIF image (optional)
    :param organization_id: the organization behind the reuse, one the submitter
        belongs to (optional)
    :param contact_email: a private contact address, shown to moderators only (optional)
    :param name: the slug (optional: made from the title)
    :param datastore_query: a query on a resource's DataStore table that the reuse
        uses (optional): ``{"resource_id": ..., "filters": {field: value or [values]},
        "q": text, "sort": "field desc"}`` (or its JSON text), as ``datastore_search``
        takes them; the resource must be readable by the submitter and in the DataStore,
        filters and sort must name fields of its table (at most 10 filters of 20 values,
        texts of 200 characters, 3 sorted fields). Shown back, with links that run it,
        only to those who can read the resource.
    :returns: the reuse
    """
    tk.check_access("reuse_create", context, data_dict)
    user = current_user(context)
    if user is None:
        _guard_anonymous(data_dict)
    data, packages, organization_id, query, upload = _checked_creation(
        context, data_dict, user)
    published = _trusted(user)
    reuse = _new_reuse(data, user, published, organization_id, query, upload)
    model.Session.add(reuse)
    model.Session.flush()
    for package in packages:
        model.Session.add(ReuseDataset(reuse_id=reuse.id, package_id=package.id))
    commit(context)
    if published:
        reuse_mail.tell_owner_services(reuse)
    return dictize.reuse(context, reuse)


def _new_reuse(data: dict[str, Any], user: Optional[model.User], published: bool,
               organization_id: Optional[str], query: Optional[dict[str, Any]],
               upload: Optional[tuple[str, str]]) -> Reuse:
    """The new reuse's row: published at once when ``published``, pending otherwise;
    its image is the upload's (image and thumbnail) or the given address."""
    image_url, thumbnail_url = upload or (data.get("image_url"), data.get("image_url"))
    now = utcnow()
    return Reuse(
        name=data.get("name") or _unique_name(data["title"]),
        title=data["title"], description=data["description"], url=data["url"],
        type=data["type"], topic=data.get("topic"), image_url=image_url,
        thumbnail_url=thumbnail_url, submitter_id=user.id if user else None,
        organization_id=organization_id, contact_email=data.get("contact_email"),
        state="published" if published else "pending",
        published=now if published else None, created=now, modified=now,
        moderated_by=user.id if published and user else None,
        extras={datastore_refs.FIELD: query} if query else {})


def _checked_creation(context: Context, data_dict: DataDict, user: Optional[model.User]
                      ) -> tuple[dict[str, Any], list[model.Package], Optional[str],
                                 Optional[dict[str, Any]], Optional[tuple[str, str]]]:
    """A new reuse's fields validated, with its datasets, organization, DataStore query
    and stored image; every field's error at once (the schema's, then the checks of the
    fields it let through)."""
    data, errors = schema.validate_all(data_dict, schema.reuse_create(), context)
    if "url" not in errors:
        checks.collect(errors, checks.unique_url, context, data["url"])
    packages = (checks.collect(errors, checks.packages, context, data["datasets"])
                if "datasets" not in errors else None)
    organization_id = checks.collect(errors, checks.organization_id, context, user,
                                     data.get("organization_id"))
    if data.get("name") and "name" not in errors and Reuse.get(data["name"]) is not None:
        errors["name"] = [tk._("This name is already used by another reuse")]
    query = checks.collect(errors, _datastore_query, context, data.get("datastore_query"))
    upload = checks.store_image(errors, data)
    return data, packages or [], organization_id, query, upload


def reuse_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change some fields of a reuse; keys left out keep their value.

    The submitter and the reuse's moderators may edit it; only sysadmins change
    ``featured``. When a submitter who is neither trusted nor a moderator of the
    reuse changes a reuse that is published, rejected or archived, it goes back
    to ``pending`` for moderation (a published page cannot be swapped for another
    unchecked).

    ``datasets`` replaces the links to the datasets the caller can see; links to
    datasets the caller cannot see (turned private since) are kept.

    :param id: id or name of the reuse
    :param title, url, description, type, topic, datasets, image_url,
        image_upload, organization_id, contact_email: as in ``reuse_create``
    :param clear_image: remove the image (default false)
    :param featured: show it first in the gallery (sysadmins only)
    :param datastore_query: as in ``reuse_create``; empty removes it (a query on a
        resource the caller cannot read is kept)
    :returns: the reuse
    """
    tk.check_access("reuse_update", context, data_dict)
    reuse = _get(data_dict)
    user = current_user(context)
    data, errors = schema.validate_all(data_dict, schema.reuse_update(), context)
    if "url" in data and "url" not in errors and data["url"] != reuse.url:
        checks.collect(errors, checks.unique_url, context, data["url"], reuse.id)

    # Everything that may still fail is checked before the reuse is touched, every
    # field's error reported at once.
    packages = (checks.collect(errors, checks.packages, context, data["datasets"])
                if "datasets" in data and "datasets" not in errors else None)
    organization_id = (checks.collect(errors, checks.organization_id, context, user,
                                data["organization_id"], current=reuse.organization_id)
                       if "organization_id" in data else reuse.organization_id)
    query = (checks.collect(errors, _datastore_query, context, data["datastore_query"])
             if "datastore_query" in data else None)
    upload = checks.store_image(errors, data)

    changed = _change_fields(reuse, data, organization_id)
    if packages is not None:
        changed = _relink(context, reuse, packages) or changed
    changed = _change_image(reuse, data, upload) or changed
    if "datastore_query" in data:
        changed = _change_query(context, reuse, query) or changed

    if changed:
        if (reuse.state != "pending" and is_submitter(context.get("user"), reuse)
                and not _trusted(user) and not moderated_reuse_ids(user, [reuse.id])):
            reuse.state = "pending"
        reuse.modified = utcnow()
        commit(context)
    return dictize.reuse(context, reuse)


def _change_fields(reuse: Reuse, data: dict[str, Any], organization_id: Optional[str]
                   ) -> bool:
    """Set the plain fields ``data`` gives and the organization; whether any changed."""
    changed = False
    for key in ("title", "url", "description", "type", "topic", "contact_email", "featured"):
        # An emptied optional field (topic, contact e-mail) is stored as None.
        value = None if key in ("topic", "contact_email") and not data.get(key) else data.get(key)
        if key in data and value != getattr(reuse, key):
            setattr(reuse, key, value)
            changed = True
    if organization_id != reuse.organization_id:
        reuse.organization_id = organization_id
        changed = True
    return changed


def reuse_delete(context: Context, data_dict: DataDict) -> None:
    """Delete a reuse for good: its row, its dataset links and its stored image.

    The submitter and the reuse's moderators may delete it. A reuse that should
    only leave the gallery is rejected (``reuse_moderate``) or archived instead.

    :param id: id or name of the reuse
    """
    tk.check_access("reuse_delete", context, data_dict)
    reuse = _get(data_dict)
    files = (reuse.image_url, reuse.thumbnail_url)
    model.Session.query(ReuseDataset).filter(ReuseDataset.reuse_id == reuse.id).delete(
        synchronize_session=False)
    model.Session.delete(reuse)
    commit(context)
    images.delete(*files)


@tk.side_effect_free
def reuse_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One reuse, with the linked datasets the caller can see.

    Published and archived reuses are shown to everyone; pending and rejected
    ones only to their submitter and moderators (others get "not found").
    The contact e-mail, moderation details and link health are shown to the
    submitter and the moderators only.

    :param id: id or name of the reuse
    :returns: the reuse
    """
    tk.check_access("reuse_show", context, data_dict)
    reuse = _get(data_dict)
    if not may_see(context, reuse):
        raise tk.ObjectNotFound(tk._("Reuse not found"))
    return dictize.reuse(context, reuse)


@tk.side_effect_free
def reuse_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Reuses matching the filters, a page at a time, featured ones first.

    Datasets and dataset counts only include the datasets the caller can see
    (public ones, and private ones of the caller's organizations).

    :param q: words searched in the title, description and URL (optional)
    :param dataset: id or name of a dataset the reuses link (optional)
    :param organization: id or name of an organization: reuses linking one of its
        datasets, or made by it (optional)
    :param type: a reuse type (optional)
    :param topic: a topic (optional)
    :param state: ``published`` (default), ``pending``, ``rejected``, ``archived``
        or ``any``; states other than published and archived only list the reuses
        the caller submitted or moderates
    :param mine: only the caller's own reuses, any state unless ``state`` says (default false)
    :param submitter: id or name of the submitting user (optional)
    :param moderation: only the pending reuses the caller moderates (default false)
    :param featured: only featured (true) or not featured (false) reuses (optional)
    :param featured_first: featured reuses first (default true)
    :param sort: ``newest`` (default; by publication date), ``datasets`` (most linked
        datasets first) or ``title``
    :param limit: page size (default 20, at most 100)
    :param offset: (default 0)
    :returns: ``{"count": N, "results": [reuse, ...]}``
    """
    tk.check_access("reuse_list", context, data_dict)
    data = schema.validate(data_dict, schema.reuse_list(), context)
    user = current_user(context)
    query = _listed(context, data, user)
    if query is None:
        return {"count": 0, "results": []}
    count = query.order_by(None).count()
    page = _ordered(query, data, user).offset(data["offset"]).limit(data["limit"]).all()
    return {"count": count, "results": dictize.reuses(context, page)}


def _listed(context: Context, data: dict[str, Any], user: Optional[model.User]
            ) -> Optional[Any]:
    """The query of the reuses ``reuse_list``'s filters keep for ``user``; None when
    they can keep none (an unknown dataset, organization or submitter, or the caller's
    own reuses asked anonymously)."""
    state = data.get("state") or (
        "pending" if data["moderation"] else "any" if data["mine"] else "published")
    query = model.Session.query(Reuse)
    if state != "any":
        query = query.filter(Reuse.state == state)
    if state not in PUBLIC_STATES and not (user and user.sysadmin):
        query = query.filter(own_or_moderated(user))
    if (data["moderation"] or data["mine"]) and user is None:
        return None
    if data["moderation"] and not user.sysadmin:
        query = query.filter(moderated(user))
    if data["mine"]:
        query = query.filter(Reuse.submitter_id == user.id)
    if data.get("submitter"):
        submitter = model.User.get(data["submitter"])
        if submitter is None:
            return None
        query = query.filter(Reuse.submitter_id == submitter.id)
    if data.get("dataset"):
        package = model.Package.get(data["dataset"])
        if package is None or not can_read_dataset(context, package):
            return None
        # A join (one row per reuse: the link's key is reuse and dataset) lets PostgreSQL
        # walk the dataset's links by index instead of hashing the whole reuse table.
        query = query.join(ReuseDataset, ReuseDataset.reuse_id == Reuse.id).filter(
            ReuseDataset.package_id == package.id)
    if data.get("organization"):
        group = model.Group.get(data["organization"])
        if group is None or not group.is_organization:
            return None
        links = (sa.select(ReuseDataset.reuse_id)
                 .join(model.Package, model.Package.id == ReuseDataset.package_id)
                 .where(model.Package.owner_org == group.id, readable_datasets(user)))
        query = query.filter(sa.or_(Reuse.organization_id == group.id, Reuse.id.in_(links)))
    for key in ("type", "topic"):
        if data.get(key):
            query = query.filter(getattr(Reuse, key) == data[key])
    if "featured" in data:
        query = query.filter(Reuse.featured.is_(data["featured"]))
    if data.get("q"):
        query = query.filter(_text_match(data["q"]))
    return query


def _ordered(query: Any, data: dict[str, Any], user: Optional[model.User]) -> Any:
    """``query`` in ``reuse_list``'s order: featured first (unless turned off), then
    by ``sort`` (newest, most linked datasets the user can see, or title)."""
    order: list[Any] = [Reuse.featured.desc()] if data["featured_first"] else []
    newest = [sa.func.coalesce(Reuse.published, Reuse.created).desc(), Reuse.id]
    if data["sort"] == "datasets":
        counts = (sa.select(ReuseDataset.reuse_id, sa.func.count().label("n"))
                  .join(model.Package, model.Package.id == ReuseDataset.package_id)
                  .where(readable_datasets(user)).group_by(ReuseDataset.reuse_id).subquery())
        query = query.outerjoin(counts, counts.c.reuse_id == Reuse.id)
        order += [sa.func.coalesce(counts.c.n, 0).desc()] + newest
    elif data["sort"] == "title":
        order += [sa.func.lower(Reuse.title), Reuse.id]
    else:
        order += newest
    return query.order_by(*order)


def reuse_moderate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Publish or reject a reuse, and tell its submitter by e-mail.

    Moderators of a reuse are the sysadmins and the admins of every organization
    that owns one of the datasets the reuse links (private datasets included).
    A pending, rejected or archived reuse may be published; a pending, published
    or archived one rejected (a comment is then required). On publication, when
    the governance plugin is loaded, the owner service of each linked dataset
    (its mailbox and referent) is told of the new reuse.

    :param id: id or name of the reuse
    :param decision: ``publish`` or ``reject``
    :param comment: the moderator's comment, mailed to the submitter (required to reject)
    :returns: the reuse
    """
    tk.check_access("reuse_moderate", context, data_dict)
    reuse = _get(data_dict)
    data = schema.validate(data_dict, schema.reuse_moderate(), context)
    decision = data["decision"]
    if decision == "reject" and not data["comment"]:
        raise tk.ValidationError({"comment": [tk._("Say why the reuse is rejected")]})
    target = "published" if decision == "publish" else "rejected"
    if reuse.state == target:
        raise tk.ValidationError({"decision": [
            tk._("The reuse is already published") if target == "published"
            else tk._("The reuse is already rejected")]})

    user = current_user(context)
    now = utcnow()
    reuse.state = target
    reuse.moderation_comment = data["comment"] or None
    reuse.moderated_by = user.id if user else None
    reuse.modified = now
    if decision == "publish":
        reuse.published = now
    commit(context)

    reuse_mail.mail_submitter(reuse, decision, data["comment"], user)
    if decision == "publish":
        reuse_mail.tell_owner_services(reuse)
    return dictize.reuse(context, reuse)


# -- helpers -----------------------------------------------------------------------------


def _trusted(user: Optional[model.User]) -> bool:
    if user is None:
        return False
    return bool(user.sysadmin or user.name in tk.config["ckanext.reuse_tracker.trusted_users"])


def _get(data_dict: DataDict) -> Reuse:
    reuse = Reuse.get(str(data_dict.get("id") or ""))
    if reuse is None:
        raise tk.ObjectNotFound(tk._("Reuse not found"))
    return reuse


def _client_address() -> Optional[str]:
    try:
        return tk.request.remote_addr
    except RuntimeError:  # no web request: a visitor can only submit through one
        return None


def _guard_anonymous(data_dict: DataDict) -> None:
    """A visitor's submission: honeypot empty, through a web request, within the rate limit."""
    if antispam.honeypot_filled(data_dict):
        raise tk.ValidationError({antispam.HONEYPOT_FIELD: [
            tk._("Leave this field empty")]})
    address = _client_address()
    if not address:
        raise tk.NotAuthorized(tk._("Log in to propose a reuse"))
    if antispam.rate_limited("reuse_create", address,
                             tk.config["ckanext.reuse_tracker.anonymous_rate_limit"],
                             tk.config["ckanext.reuse_tracker.anonymous_rate_window"]):
        raise tk.ValidationError({"rate_limit": [tk._(
            "Too many reuses were proposed from your address: try again later or log in")]})


def _unique_name(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:80].strip("-")
    base = base if len(base) >= 2 else "reuse"
    name, number = base, 1
    while Reuse.get(name) is not None:
        number += 1
        name = f"{base}-{number}"
    return name


def _relink(context: Context, reuse: Reuse, packages: list[model.Package]) -> bool:
    wanted = {package.id for package in packages}
    links = model.Session.query(ReuseDataset).filter(ReuseDataset.reuse_id == reuse.id).all()
    changed = False
    for link in links:
        package = model.Package.get(link.package_id)
        # Links the caller cannot see are not theirs to drop.
        if link.package_id not in wanted and package is not None and can_read_dataset(context, package):
            model.Session.delete(link)
            changed = True
    present = {link.package_id for link in links}
    for package_id in wanted - present:
        model.Session.add(ReuseDataset(reuse_id=reuse.id, package_id=package_id))
        changed = True
    model.Session.flush()
    return changed


def _change_image(reuse: Reuse, data: dict[str, Any],
                  upload: Optional[tuple[str, str]]) -> bool:
    old = (reuse.image_url, reuse.thumbnail_url)
    if upload is not None:
        reuse.image_url, reuse.thumbnail_url = upload
    elif "image_url" in data and (data["image_url"] or None) not in (
            reuse.image_url, images.public_url(reuse.image_url)):
        # An edit form sends back the stored image's public URL: that is no change.
        reuse.image_url = reuse.thumbnail_url = data["image_url"] or None
    elif data.get("clear_image"):
        reuse.image_url = reuse.thumbnail_url = None
    if (reuse.image_url, reuse.thumbnail_url) == old:
        return False
    images.delete(*old)
    return True


def _datastore_query(context: Context, value: Any) -> Optional[dict[str, Any]]:
    """The reuse's DataStore query checked with the caller's rights, or None."""
    query = datastore_refs.parse_query(value)
    return datastore_refs.check_query(context, query) if query is not None else None


def _change_query(context: Context, reuse: Reuse, query: Optional[dict[str, Any]]) -> bool:
    extras = dict(reuse.extras or {})
    stored = extras.get(datastore_refs.FIELD)
    if query is None and stored and datastore_refs.query_for(context, stored) is None:
        return False  # a query the caller cannot see is not theirs to drop
    if query == stored:
        return False
    if query is None:
        extras.pop(datastore_refs.FIELD, None)
    else:
        extras[datastore_refs.FIELD] = query
    reuse.extras = extras
    return True


def _text_match(q: str) -> Any:
    conditions = []
    for word in q.split()[:10]:
        pattern = "%{}%".format(word.replace("\\", "\\\\").replace("%", "\\%")
                                .replace("_", "\\_"))
        conditions.append(sa.or_(Reuse.title.ilike(pattern, escape="\\"),
                                 Reuse.description.ilike(pattern, escape="\\"),
                                 Reuse.url.ilike(pattern, escape="\\")))
    return sa.and_(*conditions)
