"""Documents -> chunks -> embeddings -> vector store, idempotent by document id."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from app.chunking import chunk_text
from app.embeddings import Embedder
from app.vector_store import Passage, VectorStore
from app.vector_store.store import Metadata

log = logging.getLogger(__name__)
_HEADING = re.compile(r"^#\s+(.+)$", re.MULTILINE)
TEXT_SUFFIXES = (".md", ".txt")


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    metadata: Metadata = field(default_factory=dict)


class Ingestor:
    def __init__(
        self, embedder: Embedder, store: VectorStore, chunk_chars: int, overlap_chars: int
    ) -> None:
        self.embedder = embedder
        self.store = store
        self.chunk_chars = chunk_chars
        self.overlap_chars = overlap_chars

    def passages(self, document: Document) -> list[Passage]:
        chunks = chunk_text(document.text, self.chunk_chars, self.overlap_chars)
        return [
            Passage(document.id, n, text, dict(document.metadata))
            for n, text in enumerate(chunks)
        ]

    def ingest(self, documents: list[Document]) -> int:
        """Store every document's chunks, replacing what an earlier version stored."""
        latest = {doc.id: doc for doc in documents}  # last one wins within a batch
        for document in latest.values():
            passages = self.passages(document)
            vectors = self.embedder.embed([p.text for p in passages])
            self.store.upsert(passages, vectors.tolist())
            self.store.delete_chunks_from(document.id, len(passages))
        log.info("ingested documents", extra={"documents": len(latest)})
        return len(latest)


def load_documents(path: Path) -> list[Document]:
    """Documents from a file or directory: .md/.txt (id = relative path) or .jsonl/.json
    (objects with id, text and optional metadata)."""
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    root = path if path.is_dir() else path.parent
    documents: list[Document] = []
    for file in files:
        if file.suffix in TEXT_SUFFIXES:
            text = file.read_text(encoding="utf-8")
            if not text.strip():
                continue
            doc_id = file.relative_to(root).with_suffix("").as_posix()
            metadata: Metadata = {"source": file.name}
            heading = _HEADING.search(text)
            if heading:
                metadata["title"] = heading.group(1).strip()
            documents.append(Document(doc_id, text, metadata))
        elif file.suffix == ".jsonl":
            for line in file.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    documents.append(_from_json(json.loads(line)))
        elif file.suffix == ".json":
            data = json.loads(file.read_text(encoding="utf-8"))
            items = data.get("documents", []) if isinstance(data, dict) else data
            documents.extend(_from_json(item) for item in items)
    return documents


def _from_json(item: dict[str, object]) -> Document:
    metadata = item.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise ValueError("metadata must be an object")
    return Document(str(item["id"]), str(item["text"]), dict(metadata))
