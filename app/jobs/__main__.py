"""``python -m app.jobs ingest PATH | backup --to URI | restore --from URI``.

Reads the same AGENT_* settings as the service, so the scheduled jobs run in the
service's image with the service's environment.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from app.embeddings import build_embedder, embedder_spec
from app.ingestion import Ingestor, load_documents
from app.jobs.backup import backup, restore
from app.logs import configure_logging
from app.settings import Settings
from app.vector_store import VectorStoreUnavailable, build_vector_store

log = logging.getLogger("app.jobs")


def main(argv: list[str] | None = None, settings: Settings | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.jobs", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    ingest_cmd = commands.add_parser("ingest", help="ingest .md/.txt files or .jsonl documents")
    ingest_cmd.add_argument("path", type=Path)
    backup_cmd = commands.add_parser("backup", help="export the collection")
    backup_cmd.add_argument("--to", dest="uri", required=True,
                            help="directory, s3://bucket/prefix, gs://bucket/prefix or "
                                 "az://account/container/prefix")
    restore_cmd = commands.add_parser("restore", help="replace the collection from a backup")
    restore_cmd.add_argument("--from", dest="uri", required=True,
                             help="an export file/object, or a prefix (restores its LATEST)")
    args = parser.parse_args(argv)

    settings = settings or Settings()
    configure_logging(settings.log_level)
    name, dimensions = embedder_spec(settings)
    store = build_vector_store(settings, dimensions)
    try:
        if args.command == "ingest":
            if not args.path.exists():
                parser.error(f"{args.path} does not exist")
            embedder = build_embedder(settings)
            ingestor = Ingestor(embedder, store, settings.chunk_chars,
                                settings.chunk_overlap_chars)
            result: dict[str, object] = {"ingested": ingestor.ingest(load_documents(args.path))}
        elif args.command == "backup":
            done = backup(store, name, args.uri)
            result = {"backup": done.export_uri, "points": done.points,
                      "snapshot": done.snapshot_uri}
        else:
            result = {"restored": restore(store, args.uri)}
    except VectorStoreUnavailable as exc:
        log.error("vector store unavailable", extra={"error": str(exc)})
        return 2
    finally:
        store.close()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
