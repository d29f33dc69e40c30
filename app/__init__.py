"""The agent service that every agent-stack deployment runs."""

__version__ = "0.1.0"
