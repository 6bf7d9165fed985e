"""Migrations are frozen: their data steps carry their own code, so a later
change to the app can never change what an old migration does."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "directory", "guides")
MIGRATIONS = sorted(path for app in APPS for path in (ROOT / app / "migrations").glob("0*.py"))


def imported_app_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        modules.update(name for name in names if name.split(".")[0] in (*APPS, "config", "devtools"))
    return modules


# What Django itself writes into a migration for a field that names a function
# or a storage (upload_to, storage=): a reference by import path, not a data step.
FIELD_REFERENCES = {"accounts.models", "directory.models", "directory.storage"}


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda path: f"{path.parent.parent.name}/{path.name}")
def test_a_migration_imports_no_app_code_beyond_field_references(path):
    assert imported_app_modules(path) <= FIELD_REFERENCES


def test_field_references_are_plain_imports_used_only_in_field_options():
    for path in MIGRATIONS:
        tree = ast.parse(path.read_text())
        assert not [
            node for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module in FIELD_REFERENCES
        ], f"{path.name} takes names from app modules"
        functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
        for function in functions:
            used = {
                node.value.id
                for node in ast.walk(function)
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            }
            assert not used & {"accounts", "directory"}, f"{path.name}: {function.name} calls app code"
