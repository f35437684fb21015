"""The common base of the partner-portal harvesters: config, convergent gather and import."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import re
import uuid
from typing import Any, Callable, Iterator, Optional

import sqlalchemy as sa

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import logic, model
from ckan.lib.munge import munge_title_to_name
from ckan.lib.redis import connect_to_redis

from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import (HarvestGatherError, HarvestJob, HarvestObject,
                                   HarvestObjectExtra)

from ckanext.suite import safe_http
from ckanext.territorial_consolidation.harvesters.http import HarvestClient, HarvestFetchError
from ckanext.territorial_consolidation.harvesters.listing import IncompleteListing, empty_listing
from ckanext.territorial_consolidation.model.harvest import HarvestRun, Provenance

__all__ = ["LEVELS", "RemoteDataset", "TerritorialHarvester", "parse_config"]

log = logging.getLogger(__name__)

LEVELS = ("commune", "epci", "departement", "region", "national")
SCHEDULES = ("MANUAL", "DAILY", "WEEKLY", "BIWEEKLY", "MONTHLY", "ALWAYS")
TERRITORY_FIELDS = ("territory_code", "territorial_level")

#: Top-level keys of core's package schema.
_CORE_FIELDS = frozenset((
    "id", "name", "title", "notes", "url", "version", "author", "author_email", "maintainer",
    "maintainer_email", "license_id", "tags", "resources", "extras", "groups", "owner_org",
    "private", "state", "type", "tag_string"))

# Bumped when what the import writes changes, so that every record is imported again.
_IMPORT_VERSION = "1"
_OPTION = "ckanext.territorial_consolidation."
_FULL_GATHER_EVERY = dt.timedelta(days=1)
_GATHER_BATCH = 200
# Datasets per duplicate detection at the end of a job: memory stays flat.
_DETECT_BATCH = 500
# Seconds the count of a job's objects left to import is kept (a job never lasts that long).
_COUNT_DOWN_TTL = 7 * 24 * 3600


@dataclasses.dataclass
class RemoteDataset:
    """One dataset as the partner portal lists it.

    :param remote_id: the portal's stable id of the dataset
    :param remote_url: its page on the portal, when known
    :param modified: when the portal last changed it (naive UTC), when known
    :param identifier: URI or ``dct:identifier`` it declares (duplicate detection)
    :param raw: the JSON-able record, kept in the harvest object and hashed
    """

    remote_id: str
    remote_url: Optional[str]
    modified: Optional[dt.datetime]
    identifier: Optional[str]
    raw: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"remote_id": self.remote_id, "remote_url": self.remote_url,
                "modified": self.modified.isoformat() if self.modified else None,
                "identifier": self.identifier, "raw": self.raw}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "RemoteDataset":
        modified = data.get("modified")
        return cls(remote_id=data["remote_id"], remote_url=data.get("remote_url"),
                   modified=dt.datetime.fromisoformat(modified) if modified else None,
                   identifier=data.get("identifier"), raw=data.get("raw") or {})


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


# Config validators: each takes the value and returns it normalised, or raises ValueError.

def _string_list(key: str) -> Callable[[Any], list[str]]:
    def check(value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip()
                                                  for v in value):
            raise ValueError(tk._('"{key}" must be a list of strings').format(key=key))
        return [v.strip() for v in value]
    return check


def _bool(key: str) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValueError(tk._('"{key}" must be true or false').format(key=key))
        return value
    return check


def _positive_int(key: str, maximum: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
            raise ValueError(tk._('"{key}" must be a whole number between 1 and {maximum}')
                             .format(key=key, maximum=maximum))
        return value
    return check


def _string_dict(key: str) -> Callable[[Any], dict[str, str]]:
    def check(value: Any) -> dict[str, str]:
        if not isinstance(value, dict) or not all(
                isinstance(k, str) and k.strip() and isinstance(v, (str, int, float))
                and not isinstance(v, bool) for k, v in value.items()):
            raise ValueError(tk._('"{key}" must be an object of text values').format(key=key))
        return {k.strip(): str(v) for k, v in value.items()}
    return check


def _filters(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or not all(
            isinstance(v, (str, list)) for v in value.values()):
        raise ValueError(tk._('"filters" must be an object of texts or lists of texts'))
    return value


def _schedule(value: Any) -> str:
    if not isinstance(value, str) or value.upper() not in SCHEDULES:
        raise ValueError(tk._('"schedule" must be one of {choices}').format(
            choices=", ".join(SCHEDULES)))
    return value.upper()


def _level(value: Any) -> str:
    if value not in LEVELS:
        raise ValueError(tk._('"territorial_level" must be one of {choices}').format(
            choices=", ".join(LEVELS)))
    return value


def _code(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 20 \
            or not value.strip().replace("-", "").isalnum():
        raise ValueError(tk._('"territory_code" must be a COG or SIREN code'))
    return value.strip().upper()


def _refuse_allowlist(value: Any) -> Any:
    raise ValueError(tk._('"allowlist" cannot be set by a harvest source: only the site '
                          'administrator allow-lists hosts, in the portal configuration'))


COMMON_CONFIG: dict[str, Callable[[Any], Any]] = {
    "territory": lambda value: value,  # split below into code and level
    "territory_code": _code,
    "territorial_level": _level,
    "filters": _filters,
    "default_extras": _string_dict("default_extras"),
    "schedule": _schedule,
    "keep_local_fields": _string_list("keep_local_fields"),
    "incremental": _bool("incremental"),
    "page_size": _positive_int("page_size", 1000),
    "allowlist": _refuse_allowlist,
}


def parse_config(config: Any, portal_schema: Optional[dict[str, Callable[[Any], Any]]] = None
                 ) -> dict[str, Any]:
    """A source's config (JSON text or dict) checked and normalised; ``ValueError`` names
    the key at fault.

    The territory is given as ``"territory": "level:code"`` (``"epci:243500139"``) or as
    ``territory_code`` and ``territorial_level``; both forms end up as the latter two keys.
    """
    if config in (None, ""):
        data: Any = {}
    elif isinstance(config, str):
        try:
            data = json.loads(config)
        except ValueError as error:
            raise ValueError(tk._("The configuration is not valid JSON: {error}")
                             .format(error=error)) from error
    else:
        data = dict(config)
    if not isinstance(data, dict):
        raise ValueError(tk._("The configuration must be a JSON object"))
    schema = {**COMMON_CONFIG, **(portal_schema or {})}
    result: dict[str, Any] = {}
    for key, value in data.items():
        if key not in schema:
            raise ValueError(tk._('Unknown configuration key "{key}"').format(key=key))
        result[key] = schema[key](value)
    territory = result.pop("territory", None)
    if territory is not None:
        if not isinstance(territory, str) or territory.count(":") != 1:
            raise ValueError(tk._('"territory" must read "level:code", e.g. "epci:243500139"'))
        level, code = territory.split(":")
        result.setdefault("territorial_level", _level(level.strip()))
        result.setdefault("territory_code", _code(code))
    if ("territory_code" in result) != ("territorial_level" in result):
        raise ValueError(tk._('"territory_code" and "territorial_level" go together'))
    return result


class TerritorialHarvester(HarvesterBase):
    """Base of the partner-portal harvesters.

    A subclass sets ``PORTAL_KIND``, declares ``p.implements(IHarvester)`` (ckanext-harvest
    finds harvesters per plugin), and implements :meth:`info`, :meth:`iter_remote` and
    :meth:`to_package`; :meth:`portal_config_schema` adds config keys of its kind
    (``{key: validator}``, a validator returns the normalised value or raises ValueError).

    The base does the rest, the same for every kind of portal:

    * gather: lists every remote dataset through ``iter_remote``; records whose content
      hash matches what was last imported produce no harvest object (only a count in
      ``HarvestRun``); a gather is *complete* when it listed the whole source without
      error (not incremental) and listed as many datasets as the partner announced, or
      at least one while the source has published datasets; a complete gather marks the
      datasets it no longer sees as missing, and withdraws those missing for longer than
      the grace period;
    * fetch: nothing to do, the record was stored at gather time;
    * import: creates or updates the local dataset in the source's organization with
      territory fields, stable resource ids (matched by remote id, then URL), the local
      value of the ``keep_local_fields``, and a ``Provenance`` row; importing the same
      record again changes nothing;
    * withdrawal: deletes the dataset (state ``deleted``: out of search and pages,
      recoverable from the trash); it comes back if the partner publishes it again.
      Deleting rather than making private keeps a withdrawn copy from lingering as
      stale data for the organization's members.
    """

    PORTAL_KIND: str = ""

    # -- what a subclass implements --------------------------------------------------

    def info(self) -> dict[str, str]:
        raise NotImplementedError

    def portal_config_schema(self) -> dict[str, Callable[[Any], Any]]:
        """Config keys of this kind of portal, each with its validator."""
        return {}

    def iter_remote(self, source_url: str, config: dict[str, Any], client: HarvestClient,
                    since: Optional[dt.datetime]) -> Iterator[RemoteDataset]:
        """Every remote dataset of the source (after the config's filters); raise
        HarvestFetchError on failure. When `since` is given, only those modified after it,
        if the portal can filter (then the gather is not 'complete')."""
        raise NotImplementedError

    def to_package(self, remote: RemoteDataset, config: dict[str, Any]) -> dict[str, Any]:
        """A CKAN package dict (title, notes, tags, license_id via mapping, update_frequency
        EU code via mapping, resources with url/name/format/description/conforms_to and
        `remote_id` for stable ids, temporal/spatial extras...). No owner_org/provenance."""
        raise NotImplementedError

    def supports_since(self) -> bool:
        """Whether ``iter_remote`` can list only the records modified after a date."""
        return False

    # -- configuration ---------------------------------------------------------------

    def validate_config(self, config: Optional[str]) -> Optional[str]:
        """IHarvester: the source's config, refused with a ValueError naming the key."""
        if not config:
            return config
        parse_config(config, self.portal_config_schema())
        return config

    def parse_config(self, config: Any) -> dict[str, Any]:
        return parse_config(config, self.portal_config_schema())

    def make_client(self) -> HarvestClient:
        return HarvestClient(
            allowlist=safe_http.allowlist_from_config(_OPTION + "harvest_allowlist"),
            max_bytes=tk.config[_OPTION + "harvest_max_bytes"],
            timeout=tk.config[_OPTION + "harvest_timeout"],
            retries=tk.config[_OPTION + "harvest_retries"])

    def page_size(self, config: dict[str, Any]) -> int:
        return config.get("page_size") or tk.config[_OPTION + "harvest_page_size"]

    # -- preview ---------------------------------------------------------------------

    def preview(self, source_url: str, config: Any, n: int = 10) -> list[dict[str, Any]]:
        """The first ``n`` remote datasets as package dicts; writes nothing."""
        parsed = self.parse_config(config)
        packages = []
        for remote in self.iter_remote(source_url, parsed, self.make_client(), None):
            packages.append(self._local_package(remote, parsed))
            if len(packages) >= n:
                break
        return packages

    # -- gather ----------------------------------------------------------------------

    def gather_stage(self, harvest_job: HarvestJob) -> Optional[list[str]]:
        source = harvest_job.source
        try:
            config = self.parse_config(source.config)
        except ValueError as error:
            self._save_gather_error(tk._("Invalid configuration: {error}").format(error=error),
                                    harvest_job)
            return None
        self._catch_up_detection(harvest_job)
        since = self._since(source.id, config) if self.supports_since() else None
        run = HarvestRun(harvest_job_id=harvest_job.id, harvest_source_id=source.id,
                         since=since, started=_now(), complete=False, gathered=0,
                         unchanged=0, missing=0)
        known = {prov.remote_id: prov for prov in model.Session.query(Provenance)
                 .filter(Provenance.harvest_source_id == source.id)}
        states = dict(model.Session.query(model.Package.id, model.Package.state)
                      .filter(model.Package.id.in_([prov.package_id
                                                    for prov in known.values()]))) \
            if known else {}
        config_key = self._config_key(config)
        seen: set[str] = set()
        object_ids: list[str] = []
        pending: list[HarvestObject] = []

        def store(obj: HarvestObject) -> None:
            # Written by batches and let go: memory stays flat however big the partner.
            pending.append(obj)
            if len(pending) >= _GATHER_BATCH:
                flush()

        def flush() -> None:
            model.Session.add_all(pending)
            model.Session.flush()
            # The job's collection would keep every object in memory (and re-add them).
            model.Session.expire(harvest_job, ["objects"])
            for obj in pending:
                object_ids.append(obj.id)
                for extra in obj.extras:
                    model.Session.expunge(extra)
                model.Session.expunge(obj)
            pending.clear()

        failed = False
        try:
            for remote in self.iter_remote(source.url, config, self.make_client(), since):
                if remote.remote_id in seen:
                    continue  # listed twice while paging: the first is kept
                seen.add(remote.remote_id)
                content = json.dumps({"remote": remote.to_json(), "config": config_key},
                                     sort_keys=True, default=str)
                digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
                prov = known.get(remote.remote_id)
                if prov is not None:
                    prov.missing_since = None
                    if (prov.content_hash == digest and prov.withdrawn is None
                            and states.get(prov.package_id) == "active"):
                        run.unchanged += 1
                        continue
                store(self._object(harvest_job, remote.remote_id, content, digest,
                                   "change" if prov else "new",
                                   prov.package_id if prov else None))
        except IncompleteListing as error:
            # Read to its end: what it listed is imported, but it is no complete gather.
            failed = True
            self._save_gather_error(str(error), harvest_job)
        except HarvestFetchError as error:
            failed = True
            self._save_gather_error(tk._("Gather stopped: {error}").format(error=error),
                                    harvest_job)
        except Exception as error:  # a parsing bug must end the job, not the worker
            log.exception("gather of %s failed", source.url)
            failed = True
            self._save_gather_error(tk._("Gather stopped: {error}").format(error=error),
                                    harvest_job)
        run.complete = not failed and since is None
        run.gathered = len(seen)
        published = sum(1 for prov in known.values() if prov.withdrawn is None)
        if run.complete and not seen and published:
            # An emptied partner or an empty answer must not withdraw everything at once.
            run.complete = False
            self._save_gather_error(empty_listing(published), harvest_job)

        if run.complete:
            now = _now()
            grace = dt.timedelta(days=tk.config[_OPTION + "harvest_grace_days"])
            for remote_id, prov in known.items():
                if remote_id in seen or prov.withdrawn is not None:
                    continue
                if prov.missing_since is None:
                    prov.missing_since = now
                if now - prov.missing_since >= grace:
                    store(self._object(harvest_job, remote_id, None, None, "withdraw",
                                       prov.package_id))
                else:
                    run.missing += 1
        flush()
        model.Session.add(run)
        model.Session.commit()
        _start_count_down(harvest_job.id, len(object_ids))
        return object_ids

    def _catch_up_detection(self, harvest_job: HarvestJob) -> None:
        """Duplicate detection for the source's previous job when it ended with objects
        never imported (a worker stopped): its last import did not run it."""
        previous = (model.Session.query(HarvestJob.id)
                    .filter(HarvestJob.source_id == harvest_job.source_id,
                            HarvestJob.id != harvest_job.id,
                            HarvestJob.created <= harvest_job.created)
                    .order_by(HarvestJob.created.desc()).first())
        if previous is not None and model.Session.query(HarvestObject.id).filter(
                HarvestObject.harvest_job_id == previous[0],
                HarvestObject.state.notin_(("COMPLETE", "ERROR"))).first() is not None:
            self._detect_duplicates(previous[0])

    def _object(self, job: HarvestJob, guid: str, content: Optional[str],
                digest: Optional[str], status: str, package_id: Optional[str]) -> HarvestObject:
        obj = HarvestObject(guid=guid, job=job, content=content, package_id=package_id,
                            harvest_source_id=job.source_id)
        obj.extras = [HarvestObjectExtra(key="status", value=status)]
        if digest:
            obj.extras.append(HarvestObjectExtra(key="content_hash", value=digest))
        return obj

    @staticmethod
    def _config_key(config: dict[str, Any]) -> dict[str, Any]:
        # What the import depends on besides the record: a change re-imports everything.
        return {"version": _IMPORT_VERSION, "config": config,
                "keep": sorted(TerritorialHarvester._keep_local(config))}

    def _since(self, source_id: str, config: dict[str, Any]) -> Optional[dt.datetime]:
        """For an incremental source, the newest remote modification date imported so far
        (the partner's own clock, so no skew), or None for a full gather: the first time,
        after a job with errors, and once a day so that withdrawals can happen."""
        if not config.get("incremental"):
            return None
        last_complete = (model.Session.query(sa.func.max(HarvestRun.started))
                         .filter(HarvestRun.harvest_source_id == source_id,
                                 HarvestRun.complete.is_(True)).scalar())
        if last_complete is None or _now() - last_complete > _FULL_GATHER_EVERY:
            return None
        last = (model.Session.query(HarvestRun.harvest_job_id)
                .filter(HarvestRun.harvest_source_id == source_id)
                .order_by(HarvestRun.started.desc()).first())
        if last is None or model.Session.query(HarvestGatherError).filter_by(
                harvest_job_id=last[0]).count() or model.Session.query(HarvestObject).filter_by(
                harvest_job_id=last[0], report_status="errored").count():
            return None
        return (model.Session.query(sa.func.max(Provenance.remote_modified))
                .filter(Provenance.harvest_source_id == source_id).scalar())

    # -- fetch -----------------------------------------------------------------------

    def fetch_stage(self, harvest_object: HarvestObject) -> bool:
        # The record was stored whole at gather time: pages list complete datasets.
        return True

    # -- import ----------------------------------------------------------------------

    def import_stage(self, harvest_object: HarvestObject) -> bool | str:
        result = self._import_stage(harvest_object)
        if self._last_of_job(harvest_object, result):
            self._detect_duplicates(harvest_object.harvest_job_id)
        return result

    def _import_stage(self, harvest_object: HarvestObject) -> bool | str:
        extras = {extra.key: extra.value for extra in harvest_object.extras}
        try:
            if extras.get("status") == "withdraw":
                return self._withdraw(harvest_object)
            if not harvest_object.content:
                self._save_object_error(tk._("Empty harvest object"), harvest_object, "Import")
                return False
            return self._import(harvest_object, extras.get("content_hash"))
        except tk.ValidationError as error:
            model.Session.rollback()
            self._save_object_error(
                tk._("Invalid dataset {remote_id}: {errors}").format(
                    remote_id=harvest_object.guid, errors=error.error_dict),
                harvest_object, "Import")
        except Exception as error:  # one bad record must not stop the job
            log.exception("import of %s failed", harvest_object.guid)
            model.Session.rollback()
            self._save_object_error(
                tk._("Import of {remote_id} failed: {error}").format(
                    remote_id=harvest_object.guid, error=error),
                harvest_object, "Import")
        return False

    def _context(self) -> dict[str, Any]:
        return {"model": model, "session": model.Session, "user": self._get_user_name(),
                "ignore_auth": True}

    def _write_context(self) -> dict[str, Any]:
        # One commit for the dataset, its provenance and the harvest object, so the
        # dataset is indexed once; and no package_show of the result.
        return dict(self._context(), defer_commit=True, return_id_only=True)

    def _source_config(self, harvest_object: HarvestObject) -> dict[str, Any]:
        return self.parse_config(harvest_object.source.config)

    def _import(self, harvest_object: HarvestObject, digest: Optional[str]) -> bool | str:
        source = harvest_object.source
        config = self._source_config(harvest_object)
        payload = json.loads(harvest_object.content)
        remote = RemoteDataset.from_json(payload["remote"])
        prov = (model.Session.query(Provenance)
                .filter_by(harvest_source_id=source.id, remote_id=remote.remote_id).first())
        existing = model.Package.get(prov.package_id) if prov is not None else None
        if existing is not None:
            if existing.state == "active" and prov.withdrawn is None and (
                    prov.content_hash == digest
                    or (prov.remote_modified and remote.modified
                        and remote.modified < prov.remote_modified)):
                # Imported already, or older than what we hold: re-running changes nothing.
                return "unchanged"

        package_dict = self._local_package(remote, config)
        package_dict["owner_org"] = self._job_owner_org(harvest_object)
        context = self._write_context()
        if existing is not None:
            current = tk.get_action("package_show")(dict(self._context(), for_update=True),
                                                    {"id": existing.id})
            package_dict = self._merge_local(current, package_dict, config)
            package_dict["id"] = existing.id
            package_dict["name"] = current["name"]
            package_dict["state"] = "active"
            package_id = tk.get_action("package_update")(context, package_dict)
        else:
            package_dict["id"] = str(uuid.uuid4())
            package_dict["name"] = self._new_name(
                package_dict.get("name") or package_dict["title"])
            # The gate looks for the harvest object of the new dataset to keep it private
            # instead of refusing it: link it before the dataset exists.
            harvest_object.package_id = package_dict["id"]
            harvest_object.current = True
            harvest_object.add()
            model.Session.execute(
                sa.text("SET CONSTRAINTS harvest_object_package_id_fkey DEFERRED"))
            model.Session.flush()
            package_id = tk.get_action("package_create")(context, package_dict)
            if prov is not None:
                # The previous copy was purged: start afresh under the new id.
                model.Session.delete(prov)
                model.Session.flush()
                prov = None

        if prov is None:
            prov = Provenance(package_id=package_id, harvest_source_id=source.id,
                              remote_id=remote.remote_id)
            model.Session.add(prov)
        prov.portal_kind = self.PORTAL_KIND
        prov.portal_url = source.url
        prov.remote_url = remote.remote_url
        prov.identifier = remote.identifier
        prov.remote_modified = remote.modified
        prov.territory_code = config.get("territory_code")
        prov.territorial_level = config.get("territorial_level")
        prov.content_hash = digest
        prov.resource_urls = [res["url"] for res in package_dict.get("resources", [])
                              if res.get("url")]
        prov.harvested = _now()
        prov.missing_since = None
        prov.withdrawn = None

        if existing is not None:
            # A new dataset has no earlier harvest object to retire.
            model.Session.query(HarvestObject).filter(
                HarvestObject.package_id == package_id).update({"current": False})
        harvest_object.package_id = package_id
        harvest_object.current = True
        # Finished in the same commit (the queue sets the same state next).
        harvest_object.state = "COMPLETE"
        harvest_object.add()
        _index_with_commit(package_id)
        model.Session.commit()
        return True

    def _withdraw(self, harvest_object: HarvestObject) -> bool:
        prov = (model.Session.query(Provenance)
                .filter_by(harvest_source_id=harvest_object.source.id,
                           remote_id=harvest_object.guid).first())
        if prov is None or prov.withdrawn is not None:
            return True
        package = model.Package.get(prov.package_id)
        if package is not None and package.state != "deleted":
            tk.get_action("package_delete")(self._context(), {"id": prov.package_id})
        prov.withdrawn = _now()
        model.Session.query(HarvestObject).filter(
            HarvestObject.package_id == prov.package_id).update({"current": False})
        harvest_object.package_id = prov.package_id
        harvest_object.current = False
        harvest_object.state = "COMPLETE"
        harvest_object.add()
        model.Session.commit()
        return True

    def _new_name(self, title: str) -> str:
        """A free dataset name made from ``title`` as ckanext-harvest makes it. Its numbered
        search reads every similar name (a scan of the package table): only run it when
        the plain name is taken."""
        ideal = re.sub("-+", "-", munge_title_to_name(title))[:model.PACKAGE_NAME_MAX_LENGTH]
        if model.Session.query(model.Package.id).filter(
                model.Package.name == ideal).first() is None:
            return ideal
        return self._gen_new_name(title)

    def _job_owner_org(self, harvest_object: HarvestObject) -> Optional[str]:
        # Read once per job (the import of each object would read it again).
        cached = getattr(self, "_owner_org_of_job", None)
        if cached is None or cached[0] != harvest_object.harvest_job_id:
            cached = (harvest_object.harvest_job_id, self._owner_org(harvest_object.source))
            self._owner_org_of_job = cached
        return cached[1]

    @staticmethod
    def _owner_org(source: Any) -> Optional[str]:
        package = model.Package.get(source.id)
        return package.owner_org if package is not None else (source.publisher_id or None)

    @staticmethod
    def _last_of_job(harvest_object: HarvestObject, result: bool | str) -> bool:
        """Whether this object is the last of its job to finish its import.

        Each import stores its object's final state (the one the queue gives it next),
        then counts down the job's objects in Redis; the import that reaches zero, or finds
        no count, checks the database: no other object of the job is left unfinished.
        O(1) per import, and of import workers ending together exactly one sees zero.
        """
        state = "COMPLETE" if result else "ERROR"
        job_id = harvest_object.harvest_job_id
        try:
            if harvest_object.state != state:
                harvest_object.state = state
                harvest_object.add()
                model.Session.commit()
            left = _count_down(job_id)
            if left is not None and left > 0:
                return False
            return model.Session.query(HarvestObject.id).filter(
                HarvestObject.harvest_job_id == job_id,
                HarvestObject.id != harvest_object.id,
                HarvestObject.state.notin_(("COMPLETE", "ERROR"))).first() is None
        except Exception:  # the import itself is done: never fail it for this
            log.exception("could not tell whether %s ends its job", harvest_object.id)
            model.Session.rollback()
            return False

    @staticmethod
    def _detect_duplicates(harvest_job_id: str) -> None:
        """T1's duplicate detection over the datasets a job imported or withdrew, when that
        module is there: once per job, by batches (per dataset, each detection would look
        the growing harvest over again). Datasets whose mirror status changed are indexed
        again."""
        try:
            from ckanext.territorial_consolidation import duplicates
        except ImportError:
            return
        detect = getattr(duplicates, "detect", None)
        if detect is None:
            return
        ids = sorted({row[0] for row in model.Session.query(HarvestObject.package_id).filter(
            HarvestObject.harvest_job_id == harvest_job_id,
            HarvestObject.package_id.isnot(None))})
        for start in range(0, len(ids), _DETECT_BATCH):
            batch = ids[start:start + _DETECT_BATCH]
            try:
                detect(batch)
                # The reindex rides on the session: commit it with the batch.
                model.Session.commit()
            except Exception:  # duplicates are a bonus: the imports themselves succeeded
                log.exception("duplicate detection failed for job %s", harvest_job_id)
                model.Session.rollback()

    # -- package dicts ---------------------------------------------------------------

    def _local_package(self, remote: RemoteDataset, config: dict[str, Any]) -> dict[str, Any]:
        """The subclass's package dict with territory fields and default extras added."""
        package = self.to_package(remote, config)
        package.pop("owner_org", None)
        package.pop("id", None)
        values = {key: config[key] for key in TERRITORY_FIELDS if config.get(key)}
        values.update({key: value for key, value in (config.get("default_extras") or {}).items()
                       if key not in package})
        schema_fields = _scheming_fields()
        extras = {extra["key"]: extra["value"] for extra in package.get("extras") or []}
        for key, value in values.items():
            if key in schema_fields:
                package[key] = value
            else:
                extras[key] = value
        for key in list(extras):
            if key in schema_fields:
                package.setdefault(key, extras.pop(key))
        for key in list(package):
            # Without a schema field for it, core would drop the key: keep it as an extra.
            if key not in _CORE_FIELDS and key not in schema_fields:
                value = package.pop(key)
                if value not in (None, ""):
                    extras.setdefault(key, value if isinstance(value, str) else json.dumps(value))
        package["extras"] = [{"key": k, "value": v} for k, v in extras.items()]
        if not package["extras"]:
            del package["extras"]
        return package

    @staticmethod
    def _keep_local(config: dict[str, Any]) -> list[str]:
        if "keep_local_fields" in config:
            return list(config["keep_local_fields"])
        return list(tk.config[_OPTION + "harvest_keep_local_fields"])

    def _merge_local(self, current: dict[str, Any], incoming: dict[str, Any],
                     config: dict[str, Any]) -> dict[str, Any]:
        """The incoming dict, with the kept local fields and the local resource ids."""
        keep = set(self._keep_local(config))
        merged = dict(incoming)
        current_extras = {e["key"]: e["value"] for e in current.get("extras") or []}
        incoming_extras = {e["key"]: e["value"] for e in incoming.get("extras") or []}
        for field in keep:
            if field in current_extras:
                incoming_extras[field] = current_extras[field]
            elif field in current and current[field] not in (None, "", []):
                merged[field] = current[field]
        if incoming_extras or "extras" in merged:
            merged["extras"] = [{"key": k, "value": v} for k, v in incoming_extras.items()]
        if "groups" in keep:
            merged["groups"] = [{"id": g["id"]} for g in current.get("groups") or []]
        merged["resources"] = _stable_resources(current.get("resources") or [],
                                                incoming.get("resources") or [])
        return merged


def _index_with_commit(package_id: str) -> None:
    """Index the dataset written with ``defer_commit`` as the coming commit leaves it.

    CKAN 2.11 indexes at commit whatever changed; CKAN 2.12 leaves a deferred write's
    indexing to its caller (``logic.index_update_package``, which 2.11 lacks).
    """
    index_update_package = getattr(logic, "index_update_package", None)
    if index_update_package is None:
        return
    # After the provenance and harvest object: the index reads both.
    model.Session.flush()
    index_update_package({"ignore_auth": True}, package_id, True)


def _left_key(harvest_job_id: str) -> str:
    return f"ckanext.territorial_consolidation:harvest_job:{harvest_job_id}:imports_left"


def _start_count_down(harvest_job_id: str, objects: int) -> None:
    """Count the job's objects to import, for :meth:`TerritorialHarvester._last_of_job`."""
    if not objects:
        return
    try:
        connect_to_redis().set(_left_key(harvest_job_id), objects, ex=_COUNT_DOWN_TTL)
    except Exception:  # without a count, each import checks the database instead
        log.exception("could not count the objects of job %s", harvest_job_id)


def _count_down(harvest_job_id: str) -> Optional[int]:
    """Objects of the job still to import after this one (negative or None: unknown)."""
    try:
        return int(connect_to_redis().decr(_left_key(harvest_job_id)))
    except Exception:
        log.exception("could not count down the objects of job %s", harvest_job_id)
        return None


def _stable_resources(current: list[dict[str, Any]], incoming: list[dict[str, Any]]
                      ) -> list[dict[str, Any]]:
    """Incoming resources carrying the id of the local resource they match: by remote id
    first, then by URL; each local resource is used once."""
    by_remote = {res["remote_id"]: res["id"] for res in current if res.get("remote_id")}
    by_url: dict[str, str] = {}
    for res in current:
        by_url.setdefault(res.get("url") or "", res["id"])
    used: set[str] = set()
    result = []
    for res in incoming:
        res = dict(res)
        local = by_remote.get(res.get("remote_id") or "")
        if local is None or local in used:
            local = by_url.get(res.get("url") or "")
        if local is not None and local not in used and res.get("url") is not None:
            res["id"] = local
            used.add(local)
        else:
            res.pop("id", None)
        result.append(res)
    return result


def _scheming_fields() -> set[str]:
    """Top-level dataset fields of the scheming schema, when scheming is loaded."""
    if not p.plugin_loaded("scheming_datasets"):
        return set()
    try:
        schema = tk.get_action("scheming_dataset_schema_show")(
            {"ignore_auth": True}, {"type": "dataset"})
    except (KeyError, tk.ObjectNotFound):
        return set()
    return {field["field_name"] for field in schema.get("dataset_fields", [])}
