"""The vector store engines the stacks can run: pinned images and ports, one place for each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VectorEngine:
    name: str
    image: str
    port: int
    data_dir: str
    # The container env var that turns on API-key auth, and the app's env var for the key.
    server_key_env: str
    app_key_env: str
    app_url_env: str


ENGINES: dict[str, VectorEngine] = {
    "qdrant": VectorEngine(
        name="qdrant",
        image="qdrant/qdrant:v1.15.5",
        port=6333,
        data_dir="/qdrant/storage",
        server_key_env="QDRANT__SERVICE__API_KEY",
        app_key_env="AGENT_QDRANT_API_KEY",
        app_url_env="AGENT_QDRANT_URL",
    ),
    "chroma": VectorEngine(
        name="chroma",
        image="chromadb/chroma:1.0.20",
        port=8000,
        data_dir="/data",
        server_key_env="CHROMA_SERVER_AUTHN_CREDENTIALS",
        app_key_env="AGENT_CHROMA_TOKEN",
        app_url_env="AGENT_CHROMA_URL",
    ),
}

COLLECTION = "knowledge"
