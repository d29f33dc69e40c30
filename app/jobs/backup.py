"""Back a collection up to a directory or object storage, and restore it."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.jobs.collection_export import export_collection, import_collection
from app.jobs.object_store import open_store, split_object
from app.vector_store import VectorStore
from app.vector_store.qdrant import QdrantStore

log = logging.getLogger(__name__)
LATEST = "LATEST"
EXPORT_SUFFIX = ".jsonl.gz"


@dataclass(frozen=True)
class BackupResult:
    export_uri: str
    points: int
    snapshot_uri: str | None


def backup(store: VectorStore, embedder: str, uri: str) -> BackupResult:
    """Write ``<collection>-<UTC time>.jsonl.gz`` under ``uri`` and point LATEST at it.
    With a Qdrant server, its native snapshot is stored next to the export as well."""
    target = open_store(uri)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    name = f"{store.collection}-{stamp}{EXPORT_SUFFIX}"
    snapshot_uri = None
    with tempfile.TemporaryDirectory(prefix="agent-backup-") as tmp:
        local = Path(tmp) / name
        points = export_collection(store, local, embedder)
        export_uri = target.put(local, name)
        if isinstance(store, QdrantStore) and not store.local:
            snapshot = store.create_snapshot()
            try:
                snapshot_file = Path(tmp) / f"{store.collection}-{stamp}.snapshot"
                store.download_snapshot(snapshot, snapshot_file)
                snapshot_uri = target.put(snapshot_file, snapshot_file.name)
            finally:
                store.delete_snapshot(snapshot)  # keep the server's disk from filling up
    target.write_text(LATEST, name + "\n")
    log.info("backup written", extra={"points": points, "uri": export_uri})
    return BackupResult(export_uri, points, snapshot_uri)


def restore(store: VectorStore, uri: str) -> int:
    """Restore from an export object, or from the LATEST export under a prefix."""
    if uri.rstrip("/").endswith(EXPORT_SUFFIX):
        prefix, name = split_object(uri)
        source = open_store(prefix)
    else:
        source = open_store(uri)
        latest = source.read_text(LATEST)
        if not latest or not latest.strip():
            raise FileNotFoundError(f"no {LATEST} backup under {uri}")
        name = latest.strip()
    with tempfile.TemporaryDirectory(prefix="agent-restore-") as tmp:
        local = Path(tmp) / name
        source.get(name, local)
        restored = import_collection(store, local)
    log.info("collection restored", extra={"points": restored, "from": name})
    return restored
