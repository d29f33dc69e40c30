"""The interface every embedder implements."""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Maps texts to unit-length float32 vectors of a fixed dimension."""

    name: str
    dimensions: int

    def embed(self, texts: list[str]) -> Vectors:
        """One row per text, each row L2-normalised."""
        ...
