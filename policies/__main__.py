"""Assembles the pack for the Pulumi policy host (`pulumi preview --policy-pack policies`).

The host runs this directory as a script (`python -m pulumi.policy ENGINE <dir>`), so the
package is not importable by its own name; it is loaded under a fixed alias, which also works
when the pack directory is copied elsewhere under another name. Constructing `PolicyPack`
starts the analyzer's gRPC server and does not return.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from pulumi_policy import PolicyPack

ALIAS = "agent_stack_guardrails"


def _pack_module() -> ModuleType:
    if __package__:
        return importlib.import_module(f"{__package__}.pack")
    here = Path(__file__).resolve().parent
    spec = importlib.util.spec_from_file_location(
        ALIAS, here / "__init__.py", submodule_search_locations=[str(here)])
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the policy pack from {here}")
    package = importlib.util.module_from_spec(spec)
    sys.modules[ALIAS] = package
    spec.loader.exec_module(package)
    return importlib.import_module(f"{ALIAS}.pack")


pack = _pack_module()
PolicyPack(
    name=pack.PACK_NAME,
    description=pack.PACK_DESCRIPTION,
    policies=pack.POLICIES,
    enforcement_level=pack.DEFAULT_ENFORCEMENT,
)
