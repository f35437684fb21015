"""No import circle between the suite's modules, counting the imports inside functions
(which would only hide one)."""
from __future__ import annotations

import ast
import graphlib
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _modules(root: pathlib.Path) -> dict[str, pathlib.Path]:
    modules = {}
    for path in (root / "ckanext").rglob("*.py"):
        if "migration" in path.relative_to(root).parts:
            continue  # alembic loads revisions by file, not by import
        name = ".".join(path.relative_to(root).with_suffix("").parts)
        modules[name.removesuffix(".__init__")] = path
    return modules


def _imported(node: ast.AST, package: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            parts = package.split(".")[:len(package.split(".")) - node.level + 1]
            base = ".".join(parts + ([base] if base else []))
        return [base] + [f"{base}.{alias.name}" for alias in node.names]
    return []


def import_graph(root: pathlib.Path = ROOT) -> dict[str, set[str]]:
    """Each module of ``root/ckanext/`` → the modules of ``ckanext/`` it imports, anywhere
    in it (a package's own ``__init__`` left out: importing a module runs it first)."""
    modules = _modules(root)

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = {known(target) for node in ast.walk(ast.parse(path.read_text()))
                   for target in _imported(node, package)}
        graph[name] = {target for target in targets
                       if target and target != name and not name.startswith(target + ".")}
    return graph


def _circle(graph: dict[str, set[str]]) -> list[str]:
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as error:
        return list(error.args[1])
    return []


def test_no_module_imports_itself_through_others() -> None:
    """Following imports from any module of ``ckanext/`` never leads back to it."""
    graph = import_graph()
    assert len(graph) > 100 and graph["ckanext.postgres_search.plugin"]
    assert _circle(graph) == []


def test_a_circle_hidden_in_functions_is_found(tmp_path: pathlib.Path) -> None:
    """Two modules importing each other only inside functions, one of them relatively,
    make a circle."""
    package = tmp_path / "ckanext" / "demo"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from . import b\n")
    (package / "b.py").write_text("def g():\n    import ckanext.demo.a\n")
    (package / "c.py").write_text("from ckanext.demo import a\n")

    graph = import_graph(tmp_path)

    assert graph["ckanext.demo.c"] == {"ckanext.demo.a"}
    assert sorted(set(_circle(graph))) == ["ckanext.demo.a", "ckanext.demo.b"]
