"""``python -m app [--host H] [--port P]``: serve the agent API."""

from __future__ import annotations

import argparse

from app.server import serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    parser.add_argument("--host", help="bind address (default AGENT_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default AGENT_PORT or 8000)")
    args = parser.parse_args(argv)
    serve(args.host, args.port)


if __name__ == "__main__":
    main()
