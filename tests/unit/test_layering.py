"""The import contracts in pyproject.toml hold: the layering is checked, not hoped for."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
PACKAGES = ("web", "schema", "resolvers", "domain", "persistence")
LINT_IMPORTS = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """import-linter over ``project``'s packages, with its pyproject.toml."""
    return subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, "--no-cache", "--no-logo"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | {"PYTHONPATH": str(project)},
    )


def test_every_import_contract_is_kept() -> None:
    result = lint_imports(PROJECT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def test_a_use_case_importing_strawberry_breaks_a_contract(tmp_path: Path) -> None:
    # The contracts must be able to fail: the same configuration over the same
    # packages, but for one domain module that imports Strawberry.
    (tmp_path / "pyproject.toml").write_text((PROJECT / "pyproject.toml").read_text())
    for package in PACKAGES:
        if package != "domain":
            (tmp_path / package).symlink_to(PROJECT / package, target_is_directory=True)
    (tmp_path / "domain").mkdir()
    for entry in (PROJECT / "domain").iterdir():
        if entry.name != "__pycache__":
            (tmp_path / "domain" / entry.name).symlink_to(entry)
    (tmp_path / "domain" / "leaky.py").write_text("import strawberry\n")

    result = lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "domain.leaky -> strawberry" in result.stdout
