"""Bearer API keys, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac

from fastapi import HTTPException, Request, status


class ApiKeyAuth:
    def __init__(self, keys: tuple[str, ...]) -> None:
        # Compare digests so every comparison has the same length.
        self._digests = [hashlib.sha256(k.encode()).digest() for k in keys]

    @property
    def enabled(self) -> bool:
        return bool(self._digests)

    def identify(self, request: Request) -> str | None:
        """The caller's key fingerprint (None when auth is off); 401 when missing/wrong."""
        if not self._digests:
            return None
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        presented = hashlib.sha256(token.strip().encode()).digest()
        matched = False
        for digest in self._digests:  # no early exit: time does not depend on which key
            matched |= hmac.compare_digest(presented, digest)
        if scheme.lower() != "bearer" or not token.strip() or not matched:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="missing or invalid API key",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return presented.hex()[:16]
