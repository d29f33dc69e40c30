"""The portable export of a collection: gzip-compressed JSON Lines.

Line 1 is a header (format, version, collection, dimensions, embedder, store, count);
every further line is one passage: ``{"doc_id", "chunk", "text", "metadata", "vector"}``.
The same file restores into Qdrant (local or server) and Chroma (embedded or server).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.vector_store import Passage, StoredPoint, VectorStore

FORMAT = "agent-stack-collection"
VERSION = 1
RESTORE_BATCH = 256


class ExportError(ValueError):
    """The file is not an export this version can read, or does not fit the store."""


def export_collection(store: VectorStore, target: Path, embedder: str) -> int:
    """Write every point of ``store`` to ``target``; returns the number of points."""
    count = 0
    tmp = target.with_suffix(target.suffix + ".part")
    with gzip.open(tmp, "wt", encoding="utf-8") as out:
        header = {
            "format": FORMAT,
            "version": VERSION,
            "collection": store.collection,
            "dimensions": store.dimensions,
            "embedder": embedder,
            "store": store.kind,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        out.write(json.dumps(header) + "\n")
        for point in store.scan():
            p = point.passage
            out.write(
                json.dumps(
                    {
                        "doc_id": p.doc_id,
                        "chunk": p.chunk,
                        "text": p.text,
                        "metadata": p.metadata,
                        "vector": point.vector,
                    }
                )
                + "\n"
            )
            count += 1
    tmp.replace(target)
    return count


def read_header(source: Path) -> dict[str, Any]:
    try:
        with gzip.open(source, "rt", encoding="utf-8") as handle:
            header = json.loads(handle.readline() or "{}")
    except (json.JSONDecodeError, OSError, EOFError) as exc:
        raise ExportError(f"{source.name} is not a collection export") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ExportError(f"{source.name} is not a collection export")
    if header.get("version") != VERSION:
        raise ExportError(f"{source.name}: unsupported export version {header.get('version')}")
    return header


def read_points(source: Path) -> Iterator[StoredPoint]:
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        handle.readline()  # the header
        for line in handle:
            if not line.strip():
                continue
            item = json.loads(line)
            passage = Passage(
                item["doc_id"], int(item["chunk"]), item["text"], item.get("metadata") or {}
            )
            yield StoredPoint(passage, [float(x) for x in item["vector"]])


def import_collection(store: VectorStore, source: Path) -> int:
    """Replace the collection's contents with the export; returns the points restored."""
    header = read_header(source)
    if int(header.get("dimensions", -1)) != store.dimensions:
        raise ExportError(
            f"export has {header.get('dimensions')}-dimensional vectors, "
            f"the store expects {store.dimensions}"
        )
    store.drop_collection()
    store.ensure_collection()
    restored = 0
    batch: list[StoredPoint] = []
    for point in read_points(source):
        batch.append(point)
        if len(batch) >= RESTORE_BATCH:
            store.upsert([b.passage for b in batch], [b.vector for b in batch])
            restored += len(batch)
            batch = []
    if batch:
        store.upsert([b.passage for b in batch], [b.vector for b in batch])
        restored += len(batch)
    return restored
