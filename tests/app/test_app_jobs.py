"""Jobs: ingest, and backup -> wipe -> restore round trips (local dir, S3 via moto)."""

from __future__ import annotations

import json
import os
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


@pytest.fixture
def gcs_bucket(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """gcp-storage-emulator (PyPI) speaking the GCS JSON API on 127.0.0.1."""
    from conftest import free_port
    from gcp_storage_emulator.server import create_server
    from google.cloud import storage

    port = free_port()
    server = create_server("127.0.0.1", port, in_memory=True)
    server.start()
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "agent-test")
    try:
        storage.Client().create_bucket("agent-backups")
        yield "agent-backups"
    finally:
        server.stop()


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_gcs_round_trip(
    make_settings: Callable[..., Settings], docs: Docs, gcs_bucket: str, capsys: Any
) -> None:
    from google.cloud import storage

    uri = f"gs://{gcs_bucket}/nightly"
    backup = _round_trip(make_settings(), docs, uri, capsys)
    assert backup["backup"].startswith(f"{uri}/knowledge-")
    names = {b.name for b in storage.Client().list_blobs(gcs_bucket)}
    assert "nightly/LATEST" in names


AZURITE_ACCOUNT = "devstoreaccount1"
# Azurite's documented, public development-account key (not a secret).
AZURITE_KEY = ("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/"
               "K1SZFPTOtr/KBHBeksoGMGw==")


@pytest.fixture
def azure_container(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """Azurite's blob service (npm package `azurite`) on 127.0.0.1."""
    import shutil
    import socket
    import subprocess
    import time

    from azure.storage.blob import BlobServiceClient
    from conftest import free_port

    exe = shutil.which("azurite-blob")
    if exe is None:
        pytest.skip("azurite-blob not on PATH (npm install -g azurite@3)")
    port = free_port()
    process = subprocess.Popen(
        [exe, "--blobHost", "127.0.0.1", "--blobPort", str(port), "--location",
         str(tmp_path / "azurite"), "--silent", "--skipApiVersionCheck", "--loose"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    connection = (
        f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};"
        f"AccountKey={AZURITE_KEY};BlobEndpoint=http://127.0.0.1:{port}/{AZURITE_ACCOUNT};"
    )
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", connection)
    try:
        deadline = time.monotonic() + 30
        while True:  # wait for the port before the SDK (which retries with backoff)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        BlobServiceClient.from_connection_string(connection).create_container("backups")
        yield "backups"
    finally:
        process.terminate()
        process.wait(10)


def test_azure_blob_round_trip(
    make_settings: Callable[..., Settings], docs: Docs, azure_container: str, capsys: Any
) -> None:
    from azure.storage.blob import BlobServiceClient

    uri = f"az://{AZURITE_ACCOUNT}/{azure_container}/nightly"
    backup = _round_trip(make_settings(), docs, uri, capsys)
    assert backup["backup"].startswith(f"{uri}/knowledge-")
    service = BlobServiceClient.from_connection_string(
        os.environ["AZURE_STORAGE_CONNECTION_STRING"]
    )
    names = {b.name for b in service.get_container_client(azure_container).list_blobs()}
    assert "nightly/LATEST" in names


def test_unknown_backup_scheme_is_refused(make_settings: Callable[..., Settings]) -> None:
    with pytest.raises(ValueError, match="unsupported backup URI scheme"):
        main(["backup", "--to", "ftp://host/x"], make_settings())
    with pytest.raises(ValueError, match="az://ACCOUNT/CONTAINER"):
        main(["backup", "--to", "az://account-only"], make_settings())
