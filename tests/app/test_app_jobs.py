"""Jobs: ingest, and backup -> wipe -> restore round trips (local dir, S3 via moto)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from conftest import ChromaServer
from moto import mock_aws

from app.embeddings.hashing import HashingEmbedder
from app.ingestion import Document, Ingestor
from app.jobs.__main__ import main
from app.jobs.collection_export import ExportError, import_collection
from app.settings import Settings
from app.vector_store import VectorStore, build_vector_store

Docs = list[dict[str, Any]]
QUERIES = ["return an item for a refund", "express shipping", "laptop warranty",
           "pay by bank transfer"]


def _store(settings: Settings) -> VectorStore:
    return build_vector_store(settings, settings.hashing_dimensions)


def _fill(settings: Settings, docs: Docs) -> None:
    store = _store(settings)
    embedder = HashingEmbedder(settings.hashing_dimensions)
    Ingestor(embedder, store, 120, 20).ingest(
        [Document(d["id"], d["text"], d["metadata"]) for d in docs]
    )
    store.close()


def _answers(settings: Settings) -> list[list[tuple[str, int, str, float]]]:
    store = _store(settings)
    embedder = HashingEmbedder(settings.hashing_dimensions)
    out = [
        sorted(  # ties may come back in any order; zero-similarity hits are arbitrary
            ((h.doc_id, h.chunk, h.text, round(h.score, 5))
             for h in store.search(embedder.embed([q])[0].tolist(), 5) if h.score > 1e-6),
            key=lambda hit: (-hit[3], hit[0], hit[1]),
        )
        for q in QUERIES
    ]
    store.close()
    return out


def _wipe(settings: Settings) -> None:
    store = _store(settings)
    store.drop_collection()
    assert store.count() == 0
    store.close()


def _round_trip(settings: Settings, docs: Docs, uri: str, capsys: Any) -> dict[str, Any]:
    _fill(settings, docs)
    before = _answers(settings)
    assert all(before)
    assert main(["backup", "--to", uri], settings) == 0
    backup = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert backup["points"] > len(docs)  # chunked
    _wipe(settings)
    assert _answers(settings) == [[] for _ in QUERIES]
    assert main(["restore", "--from", uri], settings) == 0
    restored = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert restored == {"restored": backup["points"]}
    assert _answers(settings) == before
    return backup


def test_qdrant_local_round_trip_to_a_directory(
    make_settings: Callable[..., Settings], docs: Docs, tmp_path: Path, capsys: Any
) -> None:
    settings = make_settings()
    backup = _round_trip(settings, docs, str(tmp_path / "backups"), capsys)
    assert Path(backup["backup"]).name.startswith("knowledge-")
    assert (tmp_path / "backups" / "LATEST").read_text().strip() == Path(backup["backup"]).name
    assert backup["snapshot"] is None  # local mode has no snapshot API

    # Restoring an explicit export file works too, and so does a later backup.
    assert main(["restore", "--from", backup["backup"]], settings) == 0


def test_chroma_server_round_trip_and_cross_store_restore(
    make_settings: Callable[..., Settings], chroma_server: ChromaServer, docs: Docs,
    tmp_path: Path, capsys: Any,
) -> None:
    chroma = make_settings(vector_store="chroma", chroma_url=chroma_server.url)
    backup = _round_trip(chroma, docs, str(tmp_path / "b"), capsys)
    # The export is portable: the same file restores into Qdrant with the same results.
    qdrant = make_settings()
    assert main(["restore", "--from", backup["backup"]], qdrant) == 0
    capsys.readouterr()
    assert [[h[:3] for h in a] for a in _answers(qdrant)] == [
        [h[:3] for h in a] for a in _answers(chroma)
    ]


@pytest.fixture
def s3_bucket(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket="agent-backups")
        yield "agent-backups"


def test_s3_round_trip(
    make_settings: Callable[..., Settings], docs: Docs, s3_bucket: str, capsys: Any
) -> None:
    settings = make_settings()
    uri = f"s3://{s3_bucket}/nightly/qdrant"
    backup = _round_trip(settings, docs, uri, capsys)
    assert backup["backup"].startswith(f"{uri}/knowledge-")
    s3 = boto3.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=s3_bucket)["Contents"]]
    assert "nightly/qdrant/LATEST" in keys
    head = s3.head_object(Bucket=s3_bucket, Key=backup["backup"].split(f"{s3_bucket}/", 1)[1])
    assert head["ServerSideEncryption"] == "AES256"


def test_restore_from_an_empty_prefix_fails_clearly(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    with pytest.raises(FileNotFoundError, match="no LATEST backup"):
        main(["restore", "--from", str(tmp_path / "empty")], make_settings())


def test_restore_refuses_other_files_and_other_dimensions(
    make_settings: Callable[..., Settings], docs: Docs, tmp_path: Path, capsys: Any
) -> None:
    settings = make_settings()
    _fill(settings, docs)
    main(["backup", "--to", str(tmp_path / "b")], settings)
    export = Path(json.loads(capsys.readouterr().out.splitlines()[-1])["backup"])
    other = build_vector_store(make_settings(hashing_dimensions=64), 64)
    with pytest.raises(ExportError, match="384-dimensional"):
        import_collection(other, export)
    junk = tmp_path / "junk.jsonl.gz"
    junk.write_bytes(b"not gzip")
    with pytest.raises(ExportError):
        import_collection(other, junk)


def test_ingest_job_loads_a_directory_idempotently(
    make_settings: Callable[..., Settings], tmp_path: Path, capsys: Any
) -> None:
    folder = tmp_path / "kb"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.md").write_text("# Alpha\n\nAlpha text about apples.")
    (folder / "sub" / "b.txt").write_text("Bravo text about bananas.")
    (folder / "more.jsonl").write_text(
        json.dumps({"id": "c", "text": "Charlie about cherries", "metadata": {"k": 1}}) + "\n"
    )
    settings = make_settings()
    assert main(["ingest", str(folder)], settings) == 0
    assert json.loads(capsys.readouterr().out) == {"ingested": 3}
    assert main(["ingest", str(folder)], settings) == 0
    store = _store(settings)
    points = {p.passage.doc_id: p.passage for p in store.scan()}
    store.close()
    assert set(points) == {"a", "sub/b", "c"}
    assert points["a"].metadata == {"source": "a.md", "title": "Alpha"}
    assert points["c"].metadata == {"k": 1}
