"""Lambda's init, inside one built artifact: `python -I -S artifact_probe.py ARTIFACT MODULE` prints JSON.

Run by a clean interpreter (no site-packages, no PYTHON* variables): the path is the standard library and
the artifact, as /var/task is on Lambda. It imports the handler module and looks `handler` up (which reads
the function's environment and builds it), then imports whatever the project code it loaded imports inside
its functions (pillow_heif when a HEIC arrives, the fetcher's urllib3 on the first fetch, ...), until no new
project module loads. Module-level `__getattr__` re-exports and `if TYPE_CHECKING:` imports are not
followed: they load only when used, which the first pass shows. Last, it makes every client the project's
AwsClients can make, so an artifact without one of those services' models (functions/Makefile keeps only
the ones named) fails. Standard library only.
"""
from __future__ import annotations

import ast
import importlib
import json
import sys
from pathlib import Path

PROJECT = {"imagemeta", "library", "service", "handlers"}


def deferred_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """The import statements inside functions, other than a module-level `__getattr__`."""
    found = []
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef) and statement.name == "__getattr__":
            continue
        for node in ast.walk(statement):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                found += [inner for inner in ast.walk(node) if isinstance(inner, (ast.Import, ast.ImportFrom))]
    return found


def targets(statement: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[tuple[str, str]]:
    """(module to import, attribute it must have or "") for one import statement of `module`."""
    if isinstance(statement, ast.Import):
        return [(alias.name, "") for alias in statement.names]
    base = statement.module or ""
    if statement.level:
        parts = module.split(".") if is_package else module.split(".")[:-1]
        anchor = parts[: len(parts) - statement.level + 1]
        base = ".".join(anchor + ([statement.module] if statement.module else []))
    return [(base, alias.name) for alias in statement.names]


def load(name: str, attribute: str) -> None:
    """Import `name`, then `attribute` from it (a submodule when it is not an attribute)."""
    imported = importlib.import_module(name)
    if attribute and attribute != "*" and not hasattr(imported, attribute):
        importlib.import_module(f"{name}.{attribute}")


def follow_deferred_imports(failed: list[str]) -> None:
    """Import every deferred import of every loaded project module, until no new project module loads."""
    done: set[str] = set()
    while pending := sorted(m for m in list(sys.modules) if m.split(".")[0] in PROJECT and m not in done):
        for module in pending:
            done.add(module)
            source = getattr(sys.modules[module], "__file__", None)
            if not source:
                continue
            is_package = Path(source).name == "__init__.py"
            for statement in deferred_imports(ast.parse(Path(source).read_text(encoding="utf-8"))):
                for name, attribute in targets(statement, module, is_package):
                    try:
                        load(name, attribute)
                    except Exception as error:  # noqa: BLE001 - every failure is reported, none stops the probe
                        failed.append(f"{module} imports {name}{'.' + attribute if attribute else ''}: "
                                      f"{type(error).__name__}: {error}")


def make_every_client(failed: list[str]) -> None:
    """Each AwsClients property, when the handler loaded handlers.clients (the page's function does not)."""
    clients_module = sys.modules.get("handlers.clients")
    if clients_module is None:
        return
    clients = clients_module.AwsClients()
    for name, member in vars(clients_module.AwsClients).items():
        if isinstance(member, property):
            try:
                getattr(clients, name)
            except Exception as error:  # noqa: BLE001 - every failure is reported
                failed.append(f"AwsClients().{name}: {type(error).__name__}: {error}")


def loaded_from_elsewhere(artifact: str) -> list[str]:
    """Top-level modules outside the standard library that were loaded from anywhere but the artifact."""
    return sorted(
        name
        for name, module in list(sys.modules.items())
        if "." not in name
        and not name.startswith("__")  # __main__: this script
        and name not in sys.stdlib_module_names
        and not (getattr(module, "__file__", None) or artifact).startswith(artifact)  # no file: built in
    )


def main(artifact: str, module: str) -> dict[str, object]:
    sys.path.insert(0, artifact)
    failed: list[str] = []
    try:
        getattr(importlib.import_module(module), "handler")  # noqa: B009 - the lookup builds the handler, as Lambda's init does
    except Exception as error:  # noqa: BLE001 - the init failure is the finding
        failed.append(f"init: {type(error).__name__}: {error}")
    follow_deferred_imports(failed)
    make_every_client(failed)
    loaded = {name.split(".")[0] for name in sys.modules if not name.startswith("__")} - set(sys.stdlib_module_names)
    return {"failed": failed, "loaded": sorted(loaded), "outside": loaded_from_elsewhere(artifact)}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
