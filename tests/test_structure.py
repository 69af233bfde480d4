"""The package's shape: no import cycle among skxent's modules, no SciKeras."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "skxent"


def _module(path):
    return "skxent" if path.stem == "__init__" else f"skxent.{path.stem}"


def _resolve(node, module, is_package, modules):
    """The skxent modules an import statement names (relative ones resolved).

    ``from . import _model`` names the module ``skxent._model``;
    ``from . import XentClassifier`` names ``skxent``, the package itself.
    """
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = module if is_package else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        base = base.rpartition(".")[0]
    target = node.module or ""
    if node.level:
        target = f"{base}.{target}" if target else base
    named = [f"{target}.{alias.name}" for alias in node.names]
    return [name if name in modules else target for name in named]


def import_graph():
    """Module -> the skxent modules it imports, at the top or in a function.

    The package's lazy ``__getattr__`` imports (its ``_MODULES`` table)
    count too.
    """
    files = {_module(path): path for path in sorted(PACKAGE.glob("*.py"))}
    graph = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update(_resolve(node, module, path.stem == "__init__", files))
            if (
                isinstance(node, ast.Assign)
                and any(getattr(t, "id", None) == "_MODULES" for t in node.targets)
                and isinstance(node.value, ast.Dict)
            ):
                names.update("skxent" + v.value for v in node.value.values)
        graph[module] = sorted(n for n in names if n in files and n != module)
    return graph


def find_cycle(graph):
    """A list of modules forming a cycle, or None."""
    state = {}

    def visit(node, path):
        state[node] = "open"
        for child in graph[node]:
            if state.get(child) == "open":
                return path[path.index(child) :] + [child]
            if child not in state:
                cycle = visit(child, [*path, child])
                if cycle:
                    return cycle
        state[node] = "done"
        return None

    for node in graph:
        if node not in state:
            cycle = visit(node, [node])
            if cycle:
                return cycle
    return None


def test_the_graph_sees_lazy_and_relative_imports():
    graph = import_graph()
    assert "skxent._persistence" in graph["skxent._fitted_state"]  # inside save()
    assert "skxent._model" in graph["skxent._classifier"]  # inside _fit()
    assert "skxent._loading" in graph["skxent"]  # the lazy table
    assert "skxent" in graph["skxent.demo"]  # from . import XentClassifier
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]


def test_no_import_cycle_among_skxent_modules():
    assert find_cycle(import_graph()) is None


def imported_names(path):
    """Every module an import statement in ``path`` names, absolute ones only."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            yield node.module


def test_no_skxent_module_imports_scikeras():
    # SciKeras 0.13 is unmaintained: it is a benchmark contender and a test
    # dependency, never one of skxent's.
    importing = sorted(
        str(path.relative_to(PACKAGE.parent))
        for path in PACKAGE.rglob("*.py")
        if any(name.split(".")[0] == "scikeras" for name in imported_names(path))
    )
    assert importing == []
