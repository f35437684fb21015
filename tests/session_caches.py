"""Session-wide caches for work CKAN redoes on every plugin (un)load and app build in tests.

CKAN's pytest plugin reloads the plugins and rebuilds the Flask app for each
test, and every reload re-runs ``update_config``. Most of that time goes to
reading files that cannot change during a session: the config
declarations of core and plugins, the webassets libraries, scheming's
schemas, the plugins' entry points, and templates, URL builders and SQL
statements compiled again by each new app or engine. Each cache below keeps
the parsed or compiled form and hands every caller fresh objects where they
can be changed, so a test still gets exactly the config, plugins and
templates it asks for. Factories' password hashing, ``reset_db`` and the
toolkit's lookup of a plugin's template folder are made cheaper too.
"""
from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
from typing import Any, Callable

import jinja2


def install() -> None:
    """Install every cache; called once, before CKAN builds its first app."""
    _cache_entry_points()
    _cache_declarations()
    _cache_webassets_libraries()
    _share_compiled_templates()
    _share_url_builders()
    _cheap_password_hashes()
    _cheap_template_directory_lookup()
    _cache_scheming_schemas()
    _one_config_update_per_load_all()
    _one_round_trip_table_reset()
    _share_database_engine()


def _cache_entry_points() -> None:
    """Each plugin (un)load looks its entry point up among all installed distributions
    (~80 ms, several times a test); the installed set cannot change during a session.
    Plugin instances are still created anew by CKAN for each load."""
    from ckan.plugins import core

    lookup = core.entry_points

    @functools.lru_cache(maxsize=None)
    def by_group_and_name(group: str, name: str) -> Any:
        return lookup(group=group, name=name)

    def entry_points(*args: Any, **kwargs: Any) -> Any:
        if args or set(kwargs) != {"group", "name"}:
            return lookup(*args, **kwargs)
        return by_group_and_name(kwargs["group"], kwargs["name"])

    core.entry_points = entry_points


def _cache_declarations() -> None:
    """``update_config`` re-parses and re-validates core's config_declaration.yaml
    (~0.15 s, five times a test), and each plugin's option files are validated again
    at each reload (our plugins' ~10 ms each); keep the options each source declares
    and give each declaration its own copies of them, so no test can alter another's."""
    from ckan.config.declaration import load

    types = load.handler._types
    types["core"] = _replaying(types["core"], lambda: "core")
    types["dict"] = _replaying(types["dict"],
                               lambda definition: json.dumps(definition, sort_keys=True))


def _replaying(original: Callable[..., None], key: Callable[..., str]) -> Callable[..., None]:
    """A declaration loader that runs ``original`` once per source (``key`` of its
    arguments) into a scratch declaration, then replays what it declared."""
    from ckan.config import declaration as declaration_module

    snapshots: dict[str, list[Any]] = {}

    def load(declaration: Any, *args: Any) -> None:
        try:
            source = key(*args)
        except TypeError:  # arguments of another shape, or not JSON: not cached
            return original(declaration, *args)
        if source not in snapshots:
            scratch = declaration_module.Declaration()
            original(scratch, *args)
            snapshots[source] = list(_declared_members(scratch))
        # Keys are immutable (and answer any attribute, so cannot be deep-copied).
        for member, option in snapshots[source]:
            if option is None:
                declaration.annotate(str(member)).set_section(member._section)
            else:
                declaration.declare_option(member, _copy_option(option))

    return load


def _copy_option(option: Any) -> Any:
    """A copy whose values a test could change in place (a list default) are its own;
    the other attributes are strings and flags (deep-copying all costs ~40 ms)."""
    fresh = copy.copy(option)
    fresh.default = copy.deepcopy(option.default)
    fresh.example = copy.deepcopy(option.example)
    return fresh


def _declared_members(declaration: Any) -> Any:
    """(key, option) for each declared option and (annotation, None) for each
    annotation, in declaration order."""
    from ckan.config.declaration.option import Annotation

    for member in declaration._members:
        if isinstance(member, Annotation):
            yield member, None
        else:
            yield member, declaration[member]


def _cache_webassets_libraries() -> None:
    """Core's three webassets libraries are re-read from YAML on each ``update_config``;
    keep the parsed files and build new bundles from a copy each time."""
    from ckan.lib import webassets_tools
    from webassets.loaders import YAMLLoader

    parsed: dict[tuple[str, float], Any] = {}

    class CachedYAMLLoader(YAMLLoader):
        def load_bundles(self, environment: Any = None) -> Any:
            path = self.file_or_filename
            if not isinstance(path, str):
                return super().load_bundles(environment)
            key = (path, os.path.getmtime(path))
            if key not in parsed:
                with open(path) as stream:
                    parsed[key] = self.yaml.safe_load(stream) or {}
            return self._get_bundles(copy.deepcopy(parsed[key]), environment)

    webassets_tools.YAMLLoader = CachedYAMLLoader


class _SessionBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory for the session.

    Keyed by template name and file, the app's template search path,
    extensions and policies (``ckan_extends`` resolves parents along the
    search path), and checked against the source's checksum by Jinja itself.
    """

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def get_bucket(self, environment: jinja2.Environment, name: str,
                   filename: str | None, source: str) -> jinja2.bccache.Bucket:
        # Callable policies (Flask's per-app JSON dumper) are only used at render time.
        policies = sorted((key, value) for key, value in environment.policies.items()
                          if not callable(value))
        context = repr((getattr(environment.loader, "searchpath", None),
                        sorted(environment.extensions), policies))
        key = hashlib.sha1(context.encode()).hexdigest() + self.get_cache_key(name, filename)
        bucket = jinja2.bccache.Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._compiled:
            bucket.bytecode_from_string(self._compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


def _share_compiled_templates() -> None:
    """Each test's new app has a new Jinja environment that compiles every template
    it renders again (~40 ms each); share the compiled code between apps."""
    from ckan.lib import jinja_extensions

    options = jinja_extensions.get_jinja_env_options
    cache = _SessionBytecodeCache()

    def get_jinja_env_options() -> dict[str, Any]:
        return dict(options(), bytecode_cache=cache)

    jinja_extensions.get_jinja_env_options = get_jinja_env_options


def _share_url_builders() -> None:
    """Each new app compiles a URL builder for each of its ~300 routes (Python code made
    and compiled at run time, ~1.5 ms each); the builder depends only on the rule's
    parsed parts and the names of its defaults, so apps can share it.

    Rules whose variable parts have defaults are left alone: their builder embeds the
    converted default.
    """
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    builders: dict[Any, Any] = {}

    def cached_compile_builder(self: Rule, append_unknown: bool = True) -> Any:
        defaults = self.defaults or {}
        if any(dynamic and name in defaults for dynamic, name in self._trace):
            return compile_builder(self, append_unknown)
        key = (append_unknown, self.rule, tuple(self._trace), tuple(map(str, defaults)))
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    Rule._compile_builder = cached_compile_builder


def _cheap_password_hashes() -> None:
    """Every user a factory makes hashes its password with pbkdf2 at 25,000 rounds
    (~50 ms); 1,000 rounds check the same thing (right password accepted, wrong
    refused), and the stored hash keeps its format."""
    from ckan.model import user

    user.pbkdf2_sha512 = user.pbkdf2_sha512.using(rounds=1000)


def _cheap_template_directory_lookup() -> None:
    """``toolkit.add_template_directory``, ``add_public_directory`` and ``add_resource``
    find their caller's file with ``inspect.stack()``, which reads the source of every
    frame (~65 ms under pytest's deep stacks, twice on each load of ckanext-scheming).
    For those callers only, ``inspect.stack`` returns the same frames without their
    source lines (the only thing they read is ``.filename``)."""
    import inspect
    import sys

    from ckan.plugins import toolkit

    callers = {toolkit._add_served_directory.__code__, toolkit.add_resource.__code__}

    def stack(context: int = 1) -> list[inspect.FrameInfo]:
        frame = sys._getframe(1)
        if frame.f_code not in callers:
            return inspect.getouterframes(frame, context)
        records = []
        while frame is not None:
            records.append(inspect.FrameInfo(frame, frame.f_code.co_filename, frame.f_lineno,
                                             frame.f_code.co_name, None, None))
            frame = frame.f_back
        return records

    inspect.stack = stack


def _cache_scheming_schemas() -> None:
    """ckanext-scheming re-reads its schema and preset files (YAML/JSON in installed
    packages, named ``module:file``) on every load (~40 ms a test); keep each parsed
    file and give every load its own deep copy. Schemas named by URL or file path
    (tests write some to temporary files) are read each time as before."""
    from ckanext.scheming import plugins as scheming

    by_module_path = scheming._load_schema_module_path
    parsed: dict[str, Any] = {}

    def load_schema_module_path(url: str) -> Any:
        if url not in parsed:
            parsed[url] = by_module_path(url)
        return copy.deepcopy(parsed[url])

    scheming._load_schema_module_path = load_schema_module_path


def _one_config_update_per_load_all() -> None:
    """On CKAN 2.11 ``load_all`` first unloads every plugin (the system plugin left by
    the last test), which runs the whole ``update_config`` (~40 ms), then loads the
    plugins and runs it again; the first run's result is overwritten at once, so it is
    skipped. Other calls to ``unload_all`` still update the config."""
    from ckan import plugins
    from ckan.plugins import core

    if not hasattr(core, "find_system_plugins") or not core.find_system_plugins():
        return  # CKAN 2.12: nothing is left loaded between tests.
    load_all = core.load_all
    unload_all = core.unload_all

    def unload_all_without_update() -> None:
        update = core.plugins_update
        core.plugins_update = lambda: None
        try:
            unload_all()
        finally:
            core.plugins_update = update

    def load_all_once() -> None:
        core.unload_all = unload_all_without_update
        try:
            load_all()
        finally:
            core.unload_all = unload_all

    core.load_all = plugins.load_all = load_all_once


def _one_round_trip_table_reset() -> None:
    """``reset_db`` empties core's tables one by one, asking first whether each exists
    (about 120 queries, ~80 ms a test); ask once which exist and send the same
    DELETEs, in the same order, in one statement."""
    import sqlalchemy as sa

    from ckan import model

    def delete_all(self: Any) -> None:
        self.session.remove()
        connection = self.session.connection()
        existing = set(connection.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars())
        # alembic_version holds the migration state and is never emptied (as in core).
        tables = [table for table in reversed(self.metadata.sorted_tables)
                  if table.name != "alembic_version" and table.name in existing]
        if tables:
            connection.exec_driver_sql(";".join(
                f'DELETE FROM "{table.name}"' for table in tables))
        self.session.commit()

    type(model.repo).delete_all = delete_all


def _share_database_engine() -> None:
    """Every ``update_config`` (three a test) builds a new SQLAlchemy engine: a new
    connection pool, and an empty cache of compiled statements, so every query of
    every test was compiled again (~10 % of a test's time). Engines are shared
    between calls with the same ``sqlalchemy.*`` options; a different database
    still gets its own."""
    from ckan.config import environment

    create = environment.engine_from_config
    engines: dict[Any, Any] = {}

    def engine_from_config(configuration: Any, prefix: str = "sqlalchemy.",
                           **kwargs: Any) -> Any:
        options = sorted((key, str(value)) for key, value in dict(configuration).items()
                         if key.startswith(prefix))
        key = repr((prefix, options, sorted(kwargs.items())))
        if key not in engines:
            engines[key] = create(configuration, prefix, **kwargs)
        return engines[key]

    environment.engine_from_config = engine_from_config
