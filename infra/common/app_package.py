"""The bundled agent app as the stacks deploy it: where it is, its port, its content hash."""

from __future__ import annotations

import hashlib
from pathlib import Path

APP_DIR = Path(__file__).resolve().parents[2] / "app"
APP_PORT = 8000
HEALTH_PATH = "/health"
BACKUP_PREFIX = "snapshots"
_SKIP = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}


def content_tag(app_dir: Path = APP_DIR) -> str:
    """A tag that changes exactly when the image's build context changes.

    ECR tags are immutable, so each distinct build needs its own tag; hashing the context
    keeps `pulumi up` idempotent when nothing in app/ changed.
    """
    digest = hashlib.sha256()
    if app_dir.is_dir():
        for path in sorted(app_dir.rglob("*")):
            if path.is_file() and not _SKIP.intersection(path.parts):
                digest.update(str(path.relative_to(app_dir)).encode())
                digest.update(path.read_bytes())
    return "sha-" + digest.hexdigest()[:16]
