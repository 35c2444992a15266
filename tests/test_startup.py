"""What starting the app and the engine's command import: the heavy libraries wait for their use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _modules_after(code: str, tmp_path) -> set[str]:
    program = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    env = {"CLERKSHIP_INSTANCE_PATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_create_app_imports_no_library_that_waits_for_its_use(tmp_path):
    loaded = _modules_after("from clerkship import create_app\ncreate_app()", tmp_path)
    heavy = {"alembic", "authlib", "boto3", "huey", "openpyxl", "redis", "weasyprint", "pypdf"}
    assert heavy & loaded == set()


def test_allocation_command_imports_the_engine_without_the_database_layer(tmp_path):
    loaded = _modules_after("import clerkship.allocation.cli", tmp_path)
    ours = {name for name in loaded if name.startswith("clerkship")}
    assert ours == {
        "clerkship",
        "clerkship.allocation",
        "clerkship.allocation.cli",
        "clerkship.allocation.engine",
        "clerkship.allocation.interchange",
        "clerkship.config",
    }
    assert "sqlalchemy" not in loaded
