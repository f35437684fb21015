"""Session-wide caches for work CKAN redoes on every plugin (un)load and app build in tests.

CKAN's pytest plugin reloads the plugins and rebuilds the Flask app for each
test, and every reload re-runs ``update_config``. Most of that time goes to
reading files that cannot change during a session: the core config
declaration, the webassets libraries, the plugins' entry points, and
templates and URL builders compiled again by each new app. Each cache below
keeps the parsed or compiled form and hands every caller fresh objects where
they can be changed, so a test still gets exactly the config, plugins and
templates it asks for. Factories' password hashing is made cheaper too.
"""
from __future__ import annotations

import copy
import functools
import hashlib
import os
from typing import Any, Callable

import jinja2


def install() -> None:
    """Install every cache; called once, before CKAN builds its first app."""
    _cache_entry_points()
    _cache_core_declaration()
    _cache_webassets_libraries()
    _share_compiled_templates()
    _share_url_builders()
    _cheap_password_hashes()


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


def _cache_core_declaration() -> None:
    """``update_config`` re-parses and re-validates core's config_declaration.yaml
    (~0.15 s, five times a test); keep the options it declares and give each
    declaration its own copies of them, so no test can alter another's."""
    from ckan.config import declaration as declaration_module
    from ckan.config.declaration import load

    original: Callable[..., None] = load.handler._types["core"]
    snapshot: list[Any] = []

    def load_core(declaration: Any, *args: Any, **kwargs: Any) -> None:
        if args or kwargs:
            return original(declaration, *args, **kwargs)
        if not snapshot:
            scratch = declaration_module.Declaration()
            original(scratch)
            snapshot.extend(_declared_members(scratch))
        # Keys are immutable (and answer any attribute, so cannot be deep-copied).
        for member, option in snapshot:
            if option is None:
                declaration.annotate(str(member)).set_section(member._section)
            else:
                declaration.declare_option(member, _copy_option(option))

    load.handler._types["core"] = load_core


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
