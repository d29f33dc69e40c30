"""Reading AWS policy documents (IAM, bucket and secret resource policies).

Documents arrive as JSON strings (or already-parsed objects); single values and lists are
both legal for Action, Resource and Principal, and condition keys are case-insensitive.
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from typing import Any, Final

from .resource_view import UNKNOWN, load_json

#: Actions that return a secret value (BatchGetSecretValue needs Resource "*" by design and
#: still needs GetSecretValue on each secret, so it is not in this list).
SECRET_READ_ACTIONS: Final = (
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
)
_ALL_SECRETS: Final = re.compile(
    r"^arn:aws[a-z-]*:(secretsmanager|ssm):[^:]*:[^:]*:(secret:|parameter/?)\*$")


def statements(document: Any) -> list[dict[str, Any]] | None:
    """The statements of a policy document; None when the document is unknown or not JSON."""
    parsed = load_json(document)
    if parsed is UNKNOWN or not isinstance(parsed, dict):
        return None
    found = parsed.get("Statement")
    if isinstance(found, dict):
        return [found]
    if isinstance(found, list):
        return [s for s in found if isinstance(s, dict)]
    return []


def _values(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def effect(statement: dict[str, Any]) -> str:
    value = statement.get("Effect")
    return value.lower() if isinstance(value, str) else ""


def allows_action(statement: dict[str, Any], action: str) -> bool:
    """Whether the statement's Action (or NotAction) covers `action` (wildcards honoured)."""
    target = action.lower()
    if "NotAction" in statement:
        return not any(isinstance(p, str) and fnmatchcase(target, p.lower())
                       for p in _values(statement["NotAction"]))
    return any(isinstance(p, str) and fnmatchcase(target, p.lower())
               for p in _values(statement.get("Action")))


def grants_secret_read(statement: dict[str, Any]) -> bool:
    return effect(statement) == "allow" and any(
        allows_action(statement, action) for action in SECRET_READ_ACTIONS)


def broad_resources(statement: dict[str, Any]) -> list[str]:
    """Resource entries that cover every secret/parameter: "*", ``...:secret:*``, NotResource."""
    if "NotResource" in statement:
        return ["NotResource"]
    return [r for r in _values(statement.get("Resource"))
            if isinstance(r, str) and (r.strip() == "*" or _ALL_SECRETS.match(r.strip()))]


def is_everyone(principal: Any) -> bool:
    """Principal "*" or {"AWS": "*"}: anyone, in any account, signed or not."""
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any(p == "*" for p in _values(principal.get("AWS")))
    return False


def denies_insecure_transport(statement: dict[str, Any]) -> bool:
    """A Deny for everyone on all S3 actions when aws:SecureTransport is false."""
    if effect(statement) != "deny" or not is_everyone(statement.get("Principal")):
        return False
    if not (allows_action(statement, "s3:GetObject") and allows_action(statement, "s3:PutObject")):
        return False
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return False
    for operator, clauses in condition.items():
        if operator.lower() not in ("bool", "boolifexists") or not isinstance(clauses, dict):
            continue
        for key, value in clauses.items():
            if key.lower() == "aws:securetransport" and any(
                    str(v).lower() == "false" for v in _values(value)):
                return True
    return False


def allows_everyone(statement: dict[str, Any]) -> bool:
    """An unconditional Allow to everyone: the resource is public."""
    return (effect(statement) == "allow" and is_everyone(statement.get("Principal"))
            and not statement.get("Condition"))
