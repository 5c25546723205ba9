"""The shape of the code: dependencies point one way (bot.py → cogs → kontext), with no import cycle at run time."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("bot.py", "kontext", "cogs")


def _modules() -> dict[str, Path]:
    """Every module of the product by dotted name (packages by their own name)."""
    found: dict[str, Path] = {}
    for entry in PRODUCT:
        path = ROOT / entry
        files = [path] if path.is_file() else sorted(path.rglob("*.py"))
        for file in files:
            parts = list(file.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = file
    return found


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree: ast.AST) -> list[tuple[str, list[str]]]:
    """(module, names) for every import that runs: at module level or inside functions, not under TYPE_CHECKING."""
    found: list[tuple[str, list[str]]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph() -> dict[str, set[str]]:
    """Which product modules each product module imports when it runs."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, file in modules.items():
        for module, names in _runtime_imports(ast.parse(file.read_text(), str(file))):
            targets = [f"{module}.{item}" for item in names if f"{module}.{item}" in modules]
            if module in modules and len(targets) < len(names):
                targets.append(module)
            graph[name].update(target for target in targets if target != name)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the chain of modules that closes it, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_architecture_finds_a_cycle_when_there_is_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_architecture_has_no_import_cycle_at_run_time() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle at run time: " + " → ".join(cycle or [])


def test_architecture_dependencies_point_one_way() -> None:
    graph = import_graph()
    for name, imports in graph.items():
        if name.startswith("kontext"):
            assert not any(target == "bot" or target.startswith("cogs") for target in imports), name
        if name.startswith("cogs"):
            assert "bot" not in imports, name


def test_architecture_bot_imports_only_cogs_utils() -> None:
    imports = import_graph()["bot"]
    assert all(target.startswith("cogs.utils") for target in imports if target.startswith("cogs")), sorted(imports)


def test_architecture_domain_never_imports_discord() -> None:
    for name, file in _modules().items():
        if name.startswith("kontext"):
            imported = {module.split(".")[0] for module, _ in _runtime_imports(ast.parse(file.read_text()))}
            assert "discord" not in imported, name


def test_architecture_sql_lives_in_storage() -> None:
    for name, file in _modules().items():
        if name.startswith("kontext.storage"):
            continue
        imported = {module.split(".")[0] for module, _ in _runtime_imports(ast.parse(file.read_text()))}
        assert not imported & {"aiosqlite", "asyncpg", "sqlite3"}, name


def _discord_side() -> dict[str, ast.AST]:
    return {name: ast.parse(file.read_text()) for name, file in _modules().items() if name.startswith("cogs")}


def test_architecture_cogs_never_touch_storage() -> None:
    """The Discord side reaches data through the domain's services (bot.jobs, bot.quotas…), never the storage."""
    for name, tree in _discord_side().items():
        touches = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr == "storage"]
        assert not touches, f"{name} uses a storage attribute (lines {touches}): go through a service"
        for module, names in _runtime_imports(tree):
            if module.startswith("kontext.storage"):
                # Only the outage's error type, to put it into words.
                assert module == "kontext.storage.outages" and names == ["StorageUnavailable"], (name, module, names)


def test_architecture_cogs_never_write_job_fields() -> None:
    """A job's record is the job service's: a delivery reports the message it used, the service records it."""
    for name, tree in _discord_side().items():
        for node in ast.walk(tree):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AugAssign | ast.AnnAssign)
                else []
            )
            for target in targets:
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                    assert not target.value.id.endswith("job"), (
                        f"{name}:{node.lineno} writes {target.value.id}.{target.attr}"
                    )
