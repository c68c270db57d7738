"""The production profile refuses to start without what only the operator can give it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each case starts Django in a new process

ROOT = Path(__file__).resolve().parents[2]


def manage_check(tmp_path, **env):
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG")}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**base, "DJANGO_ENV": "production", "UNIONFLOW_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("given", "missing"),
    [({"ALLOWED_HOSTS": "union.example.org"}, "SECRET_KEY"), ({"SECRET_KEY": "k" * 50}, "ALLOWED_HOSTS")],
)
def test_production_requires_a_secret_key_and_allowed_hosts(tmp_path, given, missing):
    result = manage_check(tmp_path, **given)
    assert result.returncode != 0
    assert f"{missing} must be set when DJANGO_ENV=production" in result.stderr
    assert not (tmp_path / "secret_key").exists()  # production never makes a key of its own


def test_production_starts_with_both(tmp_path):
    result = manage_check(tmp_path, SECRET_KEY="k" * 50, ALLOWED_HOSTS="union.example.org")
    assert result.returncode == 0, result.stderr
