"""Run the service with uvicorn (``make serve``, the container's default command)."""

from __future__ import annotations

import uvicorn

from app.api import create_app
from app.settings import Settings


def serve(host: str | None = None, port: int | None = None) -> None:
    """Serve on ``host:port`` (defaults: AGENT_HOST / AGENT_PORT, 127.0.0.1:8000)."""
    settings = Settings()
    app = create_app(settings)
    uvicorn.run(
        app,
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,  # our JSON logging is already configured
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips="*",
        timeout_graceful_shutdown=20,
    )
