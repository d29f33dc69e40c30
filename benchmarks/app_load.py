"""Load benchmark of the agent app (not a test; nothing here is timed in CI).

Starts, all on 127.0.0.1: the fake Anthropic Messages API (fixed 200 ms per answer)
in its own process, and the app (`python -m app`, uvicorn, Qdrant local files) in
another. Then 20 concurrent clients send N requests to /search and N to /chat (unique
questions, so every chat goes through retrieval and the LLM, not the response
cache). In the same run it times raw vector-store queries on an identical copy of the
collection, single-threaded and at the same concurrency, and checks the targets:

- 0 errors;
- /search p95 <= 2 x raw store query p95 + 10 ms;
- /chat p95 - 200 ms (the fake LLM) <= 30 ms.

Usage: python benchmarks/app_load.py [--requests 5000] [--concurrency 20]
       [--embedder hashing|model] [--extra-docs 2000] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.embeddings import build_embedder  # noqa: E402
from app.ingestion import Document, Ingestor, load_documents  # noqa: E402
from app.settings import KNOWLEDGE_DIR, Settings  # noqa: E402
from app.vector_store import build_vector_store  # noqa: E402

LLM_DELAY = 0.2
LLM_KEY = "sk-ant-benchmark-fake"
QUESTIONS = [
    json.loads(line)["question"]
    for line in (ROOT / "app" / "data" / "retrieval_eval.jsonl").read_text().splitlines()
    if line.strip()
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(latencies: list[float], wall: float) -> dict[str, float]:
    ms = [v * 1000 for v in latencies]
    return {
        "requests": len(ms),
        "throughput_rps": round(len(ms) / wall, 1),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
    }


def synthetic_documents(count: int) -> list[Document]:
    topics = ["billing", "latency", "deployment", "backups", "security", "scaling", "tokens",
              "search", "caching", "alerts"]
    docs = []
    for n in range(count):
        a, b = topics[n % len(topics)], topics[(n * 7 + 3) % len(topics)]
        docs.append(Document(
            f"synthetic-{n}",
            f"Note {n} on {a} and {b}. Operators reviewing {a} should also check {b}; "
            f"incident {n} showed that {a} changes can affect {b} within minutes.",
            {"source": f"synthetic/{n}.md"},
        ))
    return docs


def wait_ready(url: str, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("app did not become ready")


class Connection:
    """A minimal HTTP/1.1 keep-alive client: the load generator shares the 2 cores with
    the app, so it must cost far less per request than the app does (httpx costs ~1 ms)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode() + body
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await self.reader.readexactly(length)
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


async def load(url: str, path: str, bodies: list[dict[str, Any]], concurrency: int
               ) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    payloads = [json.dumps(body).encode() for body in bodies]
    host, port = url.removeprefix("http://").split(":")
    next_index = 0

    async def worker() -> None:
        nonlocal errors, next_index
        connection = Connection(host, int(port))
        try:
            while next_index < len(payloads):
                payload = payloads[next_index]
                next_index += 1
                started = time.perf_counter()
                try:
                    ok = await asyncio.wait_for(connection.post(path, payload), 30) == 200
                except (TimeoutError, OSError, asyncio.IncompleteReadError):
                    ok = False
                    await connection.close()
                    connection = Connection(host, int(port))
                latencies.append(time.perf_counter() - started)
                errors += not ok
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    return latencies, errors, wall


def raw_store_queries(settings: Settings, documents: list[Document], requests: int,
                      concurrency: int) -> dict[str, dict[str, float]]:
    """Time store.search alone on an identical collection (same embedder, same data)."""
    embedder = build_embedder(settings)
    store = build_vector_store(settings, embedder.dimensions)
    Ingestor(embedder, store, settings.chunk_chars, settings.chunk_overlap_chars).ingest(
        documents
    )
    vectors = [v.tolist() for v in embedder.embed(QUESTIONS)]
    top_k = settings.top_k

    def one(n: int) -> float:
        started = time.perf_counter()
        store.search(vectors[n % len(vectors)], top_k)
        return time.perf_counter() - started

    for n in range(200):
        one(n)  # warm-up
    started = time.perf_counter()
    single = [one(n) for n in range(requests)]
    single_wall = time.perf_counter() - started
    with ThreadPoolExecutor(concurrency) as pool:
        started = time.perf_counter()
        concurrent = list(pool.map(one, range(requests)))
        concurrent_wall = time.perf_counter() - started
    store.close()
    return {
        "single_thread": summary(single, single_wall),
        f"concurrency_{concurrency}": summary(concurrent, concurrent_wall),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=5000, help="per endpoint")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--embedder", choices=["hashing", "model"], default="hashing")
    parser.add_argument("--extra-docs", type=int, default=0,
                        help="synthetic documents added to the sample knowledge base")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="agent-bench-"))
    documents = load_documents(KNOWLEDGE_DIR) + synthetic_documents(args.extra_docs)
    port_file = work / "llm.port"
    llm = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "app" / "fake_anthropic.py"), "--key", LLM_KEY,
         "--delay", str(LLM_DELAY), "--port-file", str(port_file)],
    )
    app: subprocess.Popen[bytes] | None = None
    try:
        while not port_file.exists() or not port_file.read_text():
            time.sleep(0.05)
        llm_url = f"http://127.0.0.1:{port_file.read_text()}"
        with httpx.Client() as probe:  # the fake answers within its delay
            probe.post(f"{llm_url}/v1/messages", json={}, headers={"x-api-key": "x"})

        port = 18000 + os.getpid() % 1000
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AGENT_", "ANTHROPIC_"))}
        env.update({
            "AGENT_QDRANT_PATH": str(work / "qdrant-app"),
            "AGENT_EMBEDDER": args.embedder,
            "AGENT_RATE_LIMIT_PER_MINUTE": "100000000",
            "AGENT_RATE_LIMIT_PER_HOUR": "100000000",
            "AGENT_SEED_KNOWLEDGE": "false",
            "ANTHROPIC_API_KEY": LLM_KEY,
            "ANTHROPIC_BASE_URL": llm_url,
        })
        log_file = (work / "app.log").open("wb")
        app = subprocess.Popen([sys.executable, "-m", "app", "--port", str(port)], cwd=ROOT,
                               env=env, stdout=log_file, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        wait_ready(url, app)
        batch = 200
        with httpx.Client(base_url=url, timeout=120) as client:
            for i in range(0, len(documents), batch):
                response = client.post("/ingest", json={"documents": [
                    {"id": d.id, "text": d.text, "metadata": d.metadata}
                    for d in documents[i:i + batch]]})
                response.raise_for_status()

        search_bodies = [{"query": QUESTIONS[n % len(QUESTIONS)]} for n in range(args.requests)]
        chat_bodies = [{"message": f"{QUESTIONS[n % len(QUESTIONS)]} (case {n})",
                        "user_id": f"user-{n % 50}"} for n in range(args.requests)]
        asyncio.run(load(url, "/search", search_bodies[:200], args.concurrency))  # warm-up
        search_lat, search_err, search_wall = asyncio.run(
            load(url, "/search", search_bodies, args.concurrency))
        chat_lat, chat_err, chat_wall = asyncio.run(
            load(url, "/chat", chat_bodies, args.concurrency))
        metrics = httpx.get(f"{url}/metrics").text
    finally:
        if app is not None:
            app.terminate()
            app.wait(30)
        llm.terminate()
        llm.wait(10)

    raw_settings = Settings(qdrant_path=str(work / "qdrant-raw"), embedder=args.embedder,
                            _env_file=None)  # type: ignore[call-arg]
    raw = raw_store_queries(raw_settings, documents, args.requests, args.concurrency)
    llm_mode = sum(1 for line in metrics.splitlines()
                   if line.startswith('agent_llm_request_duration_seconds_count{outcome="ok"}'))

    search = summary(search_lat, search_wall)
    chat = summary(chat_lat, chat_wall)
    raw_p95 = raw[f"concurrency_{args.concurrency}"]["p95_ms"]
    search_limit = round(2 * raw_p95 + 10, 2)
    chat_overhead = round(chat["p95_ms"] - LLM_DELAY * 1000, 2)
    result = {
        "setup": {"requests_per_endpoint": args.requests, "concurrency": args.concurrency,
                  "embedder": args.embedder, "documents": len(documents),
                  "fake_llm_delay_ms": LLM_DELAY * 1000, "cpus": os.cpu_count()},
        "search": {**search, "errors": search_err},
        "chat": {**chat, "errors": chat_err},
        "raw_store_query": raw,
        "targets": {
            "errors": {"value": search_err + chat_err, "limit": 0,
                       "ok": search_err + chat_err == 0},
            "search_p95_ms": {"value": search["p95_ms"], "limit": search_limit,
                              "ok": search["p95_ms"] <= search_limit},
            "chat_p95_minus_llm_ms": {"value": chat_overhead, "limit": 30,
                                      "ok": chat_overhead <= 30},
        },
        "llm_metrics_present": bool(llm_mode),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(json.dumps(result["setup"]))
        for name in ("search", "chat"):
            print(f"{name:7s} {json.dumps(result[name])}")
        for name, value in raw.items():
            print(f"raw store query ({name}) {json.dumps(value)}")
        for name, target in result["targets"].items():
            verdict = "PASS" if target["ok"] else "FAIL"
            print(f"{verdict} {name}: {target['value']} (limit {target['limit']})")
    return 0 if all(t["ok"] for t in result["targets"].values()) else 1


if __name__ == "__main__":
    threading.excepthook = lambda args: None
    sys.exit(main())
