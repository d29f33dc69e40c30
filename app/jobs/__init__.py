"""Scheduled jobs: ingest, backup and restore (``python -m app.jobs``)."""
