"""Fixtures for the app tests: settings isolated from the environment, apps on the
hashing embedder with Qdrant local files, real Redis, a fake Anthropic server and a
real Chroma server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pytest_redis import factories

sys.path.insert(0, str(Path(__file__).parent))

from fake_anthropic import FakeAnthropic

from app.api import create_app
from app.embeddings.hashing import HashingEmbedder
from app.settings import Settings

REDIS_PASSWORD = "redis-test-password-7d1f"
redis_proc = factories.redis_proc(port=None)
redis_auth_proc = factories.redis_proc(port=None, password=REDIS_PASSWORD)
redis_outage_proc = factories.redis_proc(port=None)

LLM_KEY = "sk-ant-test-fake-key-0001"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No AGENT_* / ANTHROPIC_* variable of the machine leaks into a test."""
    for name in list(os.environ):
        if name.startswith(("AGENT_", "ANTHROPIC_")):
            monkeypatch.delenv(name)


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    count = 0

    def build(**overrides: Any) -> Settings:
        nonlocal count
        count += 1  # every app gets its own local store files
        values: dict[str, Any] = {
            "embedder": "hashing",
            "qdrant_path": str(tmp_path / f"qdrant-{count}"),
            "chroma_path": str(tmp_path / f"chroma-{count}"),
            "seed_knowledge": False,
        }
        values.update(overrides)
        return Settings(**values)

    return build


@pytest.fixture
def make_client(make_settings: Callable[..., Settings]) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def build(**overrides: Any) -> TestClient:
        settings = make_settings(**overrides)
        app = create_app(settings, embedder=HashingEmbedder(settings.hashing_dimensions))
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


@pytest.fixture
def fake_llm() -> Iterator[FakeAnthropic]:
    server = FakeAnthropic(LLM_KEY).start()
    yield server
    server.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ChromaServer:
    """``chroma run`` on a free loopback port, restartable on the same data."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        exe = shutil.which("chroma", path=str(Path(sys.executable).parent))
        if exe is None:
            pytest.fail("the chroma CLI (chromadb package) is not installed")
        self.exe = exe

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.exe, "run", "--path", str(self.path), "--host", "127.0.0.1",
             "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        pytest.fail("chroma server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[ChromaServer]:
    server = ChromaServer(tmp_path / "chroma-server")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def docs() -> list[dict[str, Any]]:
    """Four short documents on distinct topics."""
    return [
        {"id": "returns", "text": "Customers can return any item within 30 days of delivery "
         "for a full refund. Items must be unused and in the original packaging.",
         "metadata": {"source": "returns.md", "title": "Returns"}},
        {"id": "shipping", "text": "Standard shipping takes three to five business days. "
         "Express shipping arrives the next business day when ordered before noon.",
         "metadata": {"source": "shipping.md"}},
        {"id": "warranty", "text": "Every laptop comes with a two year warranty that covers "
         "hardware faults but not accidental damage such as spilled drinks.",
         "metadata": {"source": "warranty.md"}},
        {"id": "payment", "text": "We accept credit cards, debit cards and bank transfers. "
         "Invoices are sent by email after the payment clears.",
         "metadata": {"source": "payment.md"}},
    ]
