"""The Pulumi program: validated settings -> the cloud's AgentStack -> the stack outputs."""

from __future__ import annotations

from typing import Any

import pulumi

from infra.settings import StackSettings, load_settings

# The AgentStack contract (DESIGN): every cloud exports exactly these keys.
OUTPUT_KEYS = ("url", "healthUrl", "cloud", "environment", "region", "vectorStore", "cache",
               "secrets", "backupBucket", "costEstimate")


def build(settings: StackSettings) -> dict[str, Any]:
    """Declares the cloud's AgentStack and returns the stack outputs (the DESIGN contract)."""
    if settings.cloud == "aws":
        from infra.aws.agent_stack import AgentStack
    else:  # settings validation only lets built clouds through
        raise pulumi.RunError(f"cloud {settings.cloud!r} is not built yet")
    return AgentStack("agent", settings).outputs()


def run() -> dict[str, Any]:
    return build(load_settings())
