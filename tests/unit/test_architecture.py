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


CRYPTO_MODULE = ROOT / "journal" / "crypto.py"
RAW_CRYPTO = {"cryptography", "hmac", "hashlib", "secrets"}


def is_type_checking(test: ast.expr) -> bool:
    return ((isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
            or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def raw_crypto_uses(tree: ast.AST) -> list[str]:
    """Imports of raw crypto outside `if TYPE_CHECKING:`, and calls of `os.urandom`."""
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend(f"import {a.name}" for a in node.names if is_under(a.name, RAW_CRYPTO))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if is_under(node.module, RAW_CRYPTO):
                found.append(f"from {node.module}")
            elif node.module == "os" and any(a.name == "urandom" for a in node.names):
                found.append("from os import urandom")
        elif (isinstance(node, ast.Attribute) and node.attr == "urandom"
              and isinstance(node.value, ast.Name) and node.value.id == "os"):
            found.append("os.urandom")
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def test_only_the_crypto_module_touches_raw_crypto():
    paths = [p for package in ("journal", "domain", "projections", "cli")
             for p in sorted((ROOT / package).rglob("*.py")) if p != CRYPTO_MODULE]
    bad = [f"{p.relative_to(ROOT)}: {use}" for p in paths for use in raw_crypto_uses(ast.parse(p.read_text()))]
    assert bad == []


def test_the_crypto_walk_would_notice_raw_crypto_but_not_type_hints():
    assert raw_crypto_uses(ast.parse("import hmac\nimport os\nos.urandom(4)\n")) == ["import hmac", "os.urandom"]
    assert raw_crypto_uses(ast.parse("from cryptography.hazmat import x\ndef f():\n    import secrets\n")) == [
        "from cryptography.hazmat", "import secrets"]
    assert raw_crypto_uses(ast.parse("if TYPE_CHECKING:\n    from cryptography import x\n")) == []
    assert raw_crypto_uses(ast.parse(CRYPTO_MODULE.read_text()))
