"""`python -m app` on embedded defaults, as `make serve` runs it: a real uvicorn process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from conftest import free_port

ROOT = Path(__file__).parents[2]


def test_python_m_app_serves_the_seeded_knowledge_base(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AGENT_", "ANTHROPIC_"))}
    env["AGENT_QDRANT_PATH"] = str(tmp_path / "qdrant")
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            try:
                if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "server did not become ready"
            time.sleep(0.3)
        assert httpx.get(f"{base}/health").json()["status"] == "ok"
        hits = httpx.post(f"{base}/search", json={"query": "How do I rotate an API key?"}).json()
        assert hits["results"][0]["id"] == "api-keys"
        chat = httpx.post(f"{base}/chat", json={"message": "What happens over the rate limit?",
                                                "user_id": "me"}).json()
        assert chat["mode"] == "extractive"
        assert chat["sources"][0]["id"] == "rate-limits"
        assert "429" in chat["response"]
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode()
    # uvicorn shuts down gracefully, then re-raises SIGTERM so supervisors see it
    assert process.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete." in output
    assert '"message": "seeded knowledge base"' in output
    assert '"documents": 12' in output
