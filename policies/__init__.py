"""agent-stack-guardrails: the project's CrossGuard policy pack (see pack.py for the rules).

`pulumi preview --policy-pack policies` runs `__main__.py`; `policies.evaluate` runs the same
rules on an offline plan (`agent-stack plan`, `agent-stack policy PLAN.json`).
"""
