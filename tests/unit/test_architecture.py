"""Dependencies point inward: cli → projections → journal → domain. Walks the AST to prove it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# domain/ may use the standard library, pydantic, and eventsourcing's pure modelling modules.
DOMAIN_ALLOWED = {"pydantic", "eventsourcing.domain", "eventsourcing.utils", "domain"}
FORBIDDEN = {
    "domain": {"journal", "projections", "cli", "cryptography", "click", "sqlite3", "psycopg",
               "eventsourcing.persistence", "eventsourcing.application", "eventsourcing.sqlite",
               "eventsourcing.postgres", "rich", "platformdirs", "os", "subprocess"},
    "journal": {"projections", "cli", "click", "rich"},
    "projections": {"cli", "click"},
}


def imports_of(package: str) -> list[tuple[Path, str]]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found += [(path, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.append((path, node.module))
    return found


def is_under(module: str, names: set[str]) -> bool:
    return any(module == n or module.startswith(n + ".") for n in names)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_package_imports_an_outer_layer(package):
    imports = imports_of(package)
    assert imports, f"found no imports in {package}/: the walk is broken"
    bad = [f"{p.relative_to(ROOT)}: {m}" for p, m in imports if is_under(m, FORBIDDEN[package])]
    assert bad == []


def test_domain_imports_only_the_standard_library_pydantic_and_eventsourcing_modelling():
    import sys

    third_party = [(p, m) for p, m in imports_of("domain")
                   if m.split(".")[0] not in sys.stdlib_module_names and m != "__future__"]
    assert third_party, "domain/ should at least use pydantic"
    bad = [f"{p.relative_to(ROOT)}: {m}" for p, m in third_party if not is_under(m, DOMAIN_ALLOWED)]
    assert bad == []


def test_the_walk_would_notice_a_forbidden_import(tmp_path):
    assert is_under("journal.app", FORBIDDEN["domain"])
    assert is_under("cryptography.hazmat.primitives", FORBIDDEN["domain"])
    assert not is_under("journalist", FORBIDDEN["domain"])
