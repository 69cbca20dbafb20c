"""Enforce the layer table of docs ARCHITECTURE.md ("Who may import whom") with an ast walk.

Every module under src/euprojects is parsed (never imported); each `import` / `from ... import`
statement anywhere in the module (top level, functions, `if TYPE_CHECKING:` blocks) is resolved to
an absolute `euprojects.*` name and checked against ALLOWED below.

    cli ---> catalog <--- web          (the only door: cli and web import the catalog, views,
                |                       textview, i18n, errors and settings, nothing below)
                |                      textview: catalog, views, i18n, model, errors, settings
             exports                   (the formats: model, views, errors, settings)
                |
              views                    (the shapes shown: model, search, store, errors, settings)
                                       statistics: the same as views (the statistics' shapes)
    importers  store  search  stats    (peers: never import each other, nor exports)
                |                      i18n: model, settings, errors
                |                      fetch (downloads; the catalog calls it): settings, errors
              model
                |
        errors, settings               (errors: nothing of ours; settings: errors only)

A new top-level module or package must be given a layer here on purpose:
test_every_module_has_a_layer fails until it is.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = "euprojects"
PACKAGE_DIR = Path(__file__).resolve().parents[1] / "src" / ROOT
MAX_LINES = 600  # ARCHITECTURE: "aim for 100-500 lines, split near 600"

# The package's own __init__ (version string, docstring). Anyone may import it, so it must stay
# free of imports of our modules: a re-export there would drag upper layers into every import.
PACKAGE_ROOT = "<package root>"

_BASE = {"errors", "settings"}
_PEERS = ("importers", "store", "search", "stats", "exports")
_BELOW_CATALOG = {*_PEERS, "model", "i18n", *_BASE}
_DOOR = {"catalog", "views", "statistics", "textview", "i18n", *_BASE}

# layer -> layers it may import (besides itself and the package root).
ALLOWED: dict[str, frozenset[str]] = {
    PACKAGE_ROOT: frozenset(),
    "errors": frozenset(),
    "settings": frozenset({"errors"}),
    "model": frozenset(_BASE),
    **{peer: frozenset({"model", *_BASE}) for peer in _PEERS},
    "exports": frozenset({"model", "views", *_BASE}),  # formats of the shapes of views
    "i18n": frozenset({"model", *_BASE}),
    # the shapes a page, an answer or an export shows (views.py): built by the catalog
    "views": frozenset({"model", "search", "store", *_BASE}),
    # the statistics of a search (statistics.py): from the index and the store, like views
    "statistics": frozenset({"model", "search", "store", *_BASE}),
    "catalog": frozenset({"views", "statistics", "fetch", *_BELOW_CATALOG}),
    "textview": frozenset({"catalog", "views", "i18n", "model", *_BASE}),
    "fetch": frozenset(_BASE),  # downloads the official files; the catalog imports them
    # the catalog is the only door of the CLI and the web: nothing below it
    "cli": frozenset(_DOOR),
    "web": frozenset(_DOOR),
    "__main__": frozenset({"cli"}),  # `python -m euprojects`: the CLI and nothing else
}
LAYERS = frozenset(ALLOWED)


# ---------------------------------------------------------------------------------------------
# the checker


@dataclass(frozen=True)
class Module:
    name: str  # absolute dotted name, e.g. "euprojects.importers.keep_api"
    source: str
    is_package: bool  # an __init__.py: relative imports resolve against the module itself
    path: str = "<string>"


@dataclass(frozen=True)
class Edge:
    importer: str
    imported: str
    lineno: int


def layer_of(module: str) -> str | None:
    """The layer of an absolute module name, or None when it is not ours or not in the table."""
    parts = module.split(".")
    if parts[0] != ROOT:
        return None
    if len(parts) == 1:
        return PACKAGE_ROOT
    return parts[1] if parts[1] in LAYERS else None


def _resolve_relative(module: Module, level: int, target: str | None) -> str:
    """Same rule as importlib: `level` dots, counted from the module's package."""
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    bits = package.split(".")
    if level > len(bits) or not package:
        return f"<relative import beyond top-level package: {'.' * level}{target or ''}>"
    base = ".".join(bits[: len(bits) - (level - 1)])
    return f"{base}.{target}" if target else base


def _from_target(base: str, name: str, known: frozenset[str]) -> str:
    """`from base import name`: the submodule base.name when it is one, else base itself."""
    candidate = f"{base}.{name}"
    if candidate in known:
        return candidate
    if base == ROOT and name in LAYERS:  # e.g. `from . import web` before web exists
        return candidate
    return base


def iter_imports(module: Module, known: Iterable[str] = ()) -> list[Edge]:
    """Every import of one of our modules made anywhere in `module`, as absolute names."""
    known = frozenset(known)
    tree = ast.parse(module.source, filename=module.path)
    edges: list[Edge] = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _resolve_relative(module, node.level, node.module)
            else:
                base = node.module or ""
            if base.startswith("<"):
                targets = [base]
            else:
                targets = [_from_target(base, alias.name, known) for alias in node.names]
        for target in targets:
            if target.startswith("<") or target == ROOT or target.startswith(ROOT + "."):
                edges.append(Edge(module.name, target, node.lineno))
    return edges


def _rule(src: str, dst: str | None) -> str:
    if dst is None:
        return "imported module belongs to no layer in tests/test_architecture.py"
    if {src, dst} == {"cli", "web"}:
        return "cli and web never import each other"
    if src in _PEERS and dst in _PEERS:
        return f"{', '.join(_PEERS)} never import each other"
    allowed = sorted(ALLOWED[src])
    if not allowed:
        return f"{src} imports nothing of ours"
    return f"{src} may import only {', '.join(allowed)}"


def forbidden_edges(modules: Iterable[Module]) -> list[str]:
    """`module -> imported module (rule)` for every import the layer table forbids, sorted."""
    modules = list(modules)
    known = frozenset(m.name for m in modules)
    found: dict[tuple[str, str], str] = {}
    for module in modules:
        src = layer_of(module.name)
        if src is None:
            continue  # reported by test_every_module_has_a_layer
        for edge in iter_imports(module, known):
            if edge.imported.startswith("<"):
                found[(edge.importer, edge.imported)] = "bad relative import"
                continue
            dst = layer_of(edge.imported)
            if dst == src or dst == PACKAGE_ROOT:
                continue
            if dst is None or dst not in ALLOWED[src]:
                found[(edge.importer, edge.imported)] = _rule(src, dst)
    return [f"{a} -> {b} ({rule})" for (a, b), rule in sorted(found.items())]


def module_name(path: Path, package_dir: Path = PACKAGE_DIR) -> str:
    rel = path.relative_to(package_dir.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def discover(package_dir: Path = PACKAGE_DIR) -> list[Module]:
    return [
        Module(
            name=module_name(path, package_dir),
            source=path.read_text(encoding="utf-8"),
            is_package=path.name == "__init__.py",
            path=str(path),
        )
        for path in sorted(package_dir.rglob("*.py"))
    ]


# ---------------------------------------------------------------------------------------------
# the rules, on the real code


@pytest.fixture(scope="module")
def modules() -> list[Module]:
    found = discover()
    assert found, f"no modules found under {PACKAGE_DIR}"
    return found


def test_layers_are_respected(modules: list[Module]) -> None:
    edges = forbidden_edges(modules)
    assert not edges, "forbidden imports (see ARCHITECTURE.md, 'Who may import whom'):\n" + (
        "\n".join(edges)
    )


def test_every_module_has_a_layer(modules: list[Module]) -> None:
    homeless = sorted(m.name for m in modules if layer_of(m.name) is None)
    assert not homeless, (
        "modules in no layer; give them a place in ALLOWED in tests/test_architecture.py "
        "(and in ARCHITECTURE.md):\n" + "\n".join(homeless)
    )


def test_no_module_is_too_long(modules: list[Module]) -> None:
    too_long = sorted(
        f"{m.path}: {n} lines"
        for m in modules
        if (n := len(m.source.splitlines())) > MAX_LINES
    )
    assert not too_long, (
        f"modules over {MAX_LINES} lines (ARCHITECTURE.md: split near 600):\n" + "\n".join(too_long)
    )


# ---------------------------------------------------------------------------------------------
# the checker, on synthetic code: proves the rules above can fail


def _targets(name: str, source: str, *, is_package: bool = False, known: Iterable[str] = ()):
    return [e.imported for e in iter_imports(Module(name, source, is_package), known)]


KNOWN = frozenset(
    {
        "euprojects",
        "euprojects.catalog",
        "euprojects.cli",
        "euprojects.model",
        "euprojects.importers",
        "euprojects.importers._cells",
        "euprojects.importers._report",
        "euprojects.importers.keep_api",
    }
)


@pytest.mark.parametrize(
    ("name", "is_package", "source", "expected"),
    [
        ("euprojects.importers.keep_api", False, "from ..model import X", ["euprojects.model"]),
        ("euprojects.importers.keep_api", False, "from . import _cells as c",
         ["euprojects.importers._cells"]),
        ("euprojects.importers", True, "from . import _cells", ["euprojects.importers._cells"]),
        ("euprojects.importers", True, "from ._report import R", ["euprojects.importers._report"]),
        ("euprojects.importers", True, "from .. import model", ["euprojects.model"]),
        ("euprojects.importers", True, "from .. import __version__", ["euprojects"]),
        ("euprojects.cli", False, "from . import catalog", ["euprojects.catalog"]),
        ("euprojects.cli", False, "from . import web", ["euprojects.web"]),
        ("euprojects.cli", False, "from .catalog import Catalog", ["euprojects.catalog"]),
        ("euprojects", True, "from .catalog import Catalog", ["euprojects.catalog"]),
        ("euprojects.store.x", False, "import euprojects.catalog as c", ["euprojects.catalog"]),
        ("euprojects.store.x", False, "from euprojects import catalog", ["euprojects.catalog"]),
        ("euprojects.store.x", False, "import json\nfrom babel import Locale", []),
        ("euprojects.store.x", False, "def f():\n    from ..catalog import C",
         ["euprojects.catalog"]),
        ("euprojects.cli", False, "from ... import x",
         ["<relative import beyond top-level package: ...>"]),
    ],
)
def test_checker_resolves_imports(
    name: str, is_package: bool, source: str, expected: list[str]
) -> None:
    assert _targets(name, source, is_package=is_package, known=KNOWN) == expected


def test_checker_reports_forbidden_edges() -> None:
    fake = [
        Module("euprojects.store.x", "from ..catalog import Catalog\nimport euprojects.search\n",
               False),
        Module("euprojects.store.y", "from ..model import Project\nfrom . import x\n", False),
        Module("euprojects.errors", "from .settings import Settings\n", False),
        Module("euprojects.cli", "from .web import app\nfrom .catalog import Catalog\n"
               "from .search import SearchQuery\n", False),
        Module("euprojects.web._api", "from ..exports import iter_atom\nfrom ..views import V\n",
               False),
        Module("euprojects.textview", "from .importers import IMPORTERS\n", False),
        Module("euprojects.model._ids", "from euprojects.nowhere import z\n", False),
    ]
    assert forbidden_edges(fake) == [
        "euprojects.cli -> euprojects.search "
        "(cli may import only catalog, errors, i18n, settings, statistics, textview, views)",
        "euprojects.cli -> euprojects.web (cli and web never import each other)",
        "euprojects.errors -> euprojects.settings (errors imports nothing of ours)",
        "euprojects.model._ids -> euprojects.nowhere "
        "(imported module belongs to no layer in tests/test_architecture.py)",
        "euprojects.store.x -> euprojects.catalog "
        "(store may import only errors, model, settings)",
        "euprojects.store.x -> euprojects.search "
        "(importers, store, search, stats, exports never import each other)",
        "euprojects.textview -> euprojects.importers "
        "(textview may import only catalog, errors, i18n, model, settings, views)",
        "euprojects.web._api -> euprojects.exports "
        "(web may import only catalog, errors, i18n, settings, statistics, textview, views)",
    ]


def test_every_layer_may_import_only_known_layers() -> None:
    assert all(allowed <= LAYERS for allowed in ALLOWED.values())
    assert not any(layer in ALLOWED[layer] for layer in LAYERS)  # itself is implicit


def private_edges(modules: Iterable[Module]) -> list[str]:
    """`module -> private module` for every import of a package's private module (a name
    starting with `_`) from outside that package: a package is used through its __init__."""
    modules = list(modules)
    known = frozenset(m.name for m in modules)
    found = set()
    for module in modules:
        package = module.name if module.is_package else module.name.rpartition(".")[0]
        for edge in iter_imports(module, known):
            owner, _, last = edge.imported.rpartition(".")
            if last.startswith("_") and not last.startswith("__") and owner != package \
                    and not package.startswith(owner + "."):
                found.add(f"{edge.importer} -> {edge.imported}")
    return sorted(found)


def test_no_package_imports_another_packages_private_module(modules: list[Module]) -> None:
    edges = private_edges(modules)
    assert not edges, "imports of another package's private module:\n" + "\n".join(edges)


def test_checker_reports_private_imports() -> None:
    fake = [
        Module("euprojects.store._links", "from ..model._orgmatch import merge\n", False),
        Module("euprojects.model._orgmatch", "", False),
        Module("euprojects.model", "from ._orgmatch import merge\n", True),
        Module("euprojects.model._orgeval", "from ._orgmatch import merge\n", False),
    ]
    assert private_edges(fake) == ["euprojects.store._links -> euprojects.model._orgmatch"]


def reach_past(modules: Iterable[Module]) -> list[str]:
    """`module:line` where cli or web reads the catalog's index or store (``catalog.index``,
    ``_catalog(request).store``): they ask the catalog, never what it holds."""
    found = []
    for module in modules:
        if layer_of(module.name) not in {"cli", "web"}:
            continue
        for node in ast.walk(ast.parse(module.source)):
            if isinstance(node, ast.Attribute) and node.attr in {"index", "store"} \
                    and "catalog" in ast.unparse(node.value):
                found.append(f"{module.name}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_cli_and_web_never_reach_past_the_catalog(modules: list[Module]) -> None:
    found = reach_past(modules)
    assert not found, "cli or web reading the catalog's index or store:\n" + "\n".join(found)


def test_checker_reports_reaching_past_the_catalog() -> None:
    fake = [
        Module("euprojects.cli", "n = catalog.index.count()\nm = catalog.index_status()\n",
               False),
        Module("euprojects.web._api", "def f(r):\n    return _catalog(r).store.get(1)\n", False),
        Module("euprojects.catalog", "n = self.index.count()\n", False),
    ]
    assert reach_past(fake) == [
        "euprojects.cli:1: catalog.index",
        "euprojects.web._api:2: _catalog(r).store",
    ]


# ---------------------------------------------------------------------------------------------
# docs/architecture.md names only modules that exist

_NAMED = re.compile(r"(?<![\w/.])((?:[\w*]+/)*[\w*]+\.(?:py|po|md)|[a-z_]+/)(?![\w/])")


def named_paths(text: str) -> set[str]:
    return set(_NAMED.findall(text))


def test_checker_finds_named_paths() -> None:
    text = "`store/sqlite.py` (queries), `views.py`, web/ (_app), docs/settings.md, e.g. x.y"
    assert named_paths(text) == {"store/sqlite.py", "views.py", "web/", "docs/settings.md"}


def test_every_module_the_architecture_doc_names_exists() -> None:
    root = PACKAGE_DIR.parents[1]
    text = (root / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = named_paths(text)
    assert len(named) > 30, named
    missing = sorted(
        path for path in named
        if not any(list(base.glob(path)) for base in (PACKAGE_DIR, root, root / "src"))
    )
    assert not missing, f"docs/architecture.md names what does not exist: {missing}"
    # and every package and top-level module of the code is on the map
    shown = {m.split("/")[0].removesuffix(".py") for m in named}
    layers = {p.name.removesuffix(".py") for p in PACKAGE_DIR.iterdir()
              if p.suffix == ".py" or (p / "__init__.py").exists()} - {"__init__", "__main__"}
    assert layers <= shown, f"not in docs/architecture.md: {sorted(layers - shown)}"
