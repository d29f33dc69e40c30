"""Split long documents into overlapping passages on paragraph and sentence borders."""

from __future__ import annotations

import re

_PARAGRAPH = re.compile(r"\n\s*\n")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _pieces(text: str, size: int) -> list[str]:
    """Paragraphs, then sentences, then hard cuts, each at most ``size`` characters."""
    out: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if len(paragraph) <= size:
            out.append(paragraph)
            continue
        for sentence in _SENTENCE.split(paragraph):
            sentence = sentence.strip()
            while len(sentence) > size:
                out.append(sentence[:size])
                sentence = sentence[size:]
            if sentence:
                out.append(sentence)
    return out


def chunk_text(text: str, size: int, overlap: int) -> list[str]:
    """Passages of at most ``size`` characters; consecutive ones share ~``overlap`` chars."""
    if overlap >= size:
        raise ValueError("overlap must be smaller than size")
    text = text.strip()
    if len(text) <= size:
        return [text] if text else []
    chunks: list[str] = []
    current = ""
    for piece in _pieces(text, size):
        candidate = f"{current}\n\n{piece}" if current else piece
        if len(candidate) <= size:
            current = candidate
            continue
        chunks.append(current)
        tail = current[-overlap:] if overlap else ""
        if tail and " " in tail:
            tail = tail[tail.index(" ") + 1 :]
        current = f"{tail} {piece}".strip() if tail else piece
        if len(current) > size:
            current = piece
    if current:
        chunks.append(current)
    return chunks
