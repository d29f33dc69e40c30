"""Pulumi entry point (`main: infra/` in Pulumi.yaml): thin on purpose."""

import sys
from pathlib import Path

import pulumi

# Pulumi runs this directory as a script; make the project root importable even when the
# project is not installed into the virtualenv.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from infra.program import run

for key, value in run().items():
    pulumi.export(key, value)
