"""An answer made of the retrieved passages' most relevant sentences, with citations."""

from __future__ import annotations

import re

from app.vector_store import SearchHit

NO_ANSWER = "The knowledge base has nothing on that yet."
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from",
        "how", "i", "in", "is", "it", "my", "of", "on", "or", "the", "this", "to", "what",
        "when", "where", "which", "who", "why", "with", "you", "your",
    }
)


def _terms(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def extractive_answer(question: str, hits: list[SearchHit], max_sentences: int = 3) -> str:
    """Pick the sentences sharing most terms with the question (ties: better passage)."""
    if not hits:
        return NO_ANSWER
    wanted = _terms(question)
    scored: list[tuple[float, int, int, str]] = []
    for rank, hit in enumerate(hits):
        for position, raw in enumerate(_SENTENCE.split(hit.text)):
            sentence = raw.strip().lstrip("#").strip()
            if len(sentence) < 20:
                continue
            overlap = len(wanted & _terms(sentence))
            score = overlap + hit.score - 0.1 * rank - 0.01 * position
            scored.append((score, rank, position, sentence))
    if not scored:
        return f"{hits[0].text.strip()} [1]"
    best = sorted(scored, reverse=True)[:max_sentences]
    best.sort(key=lambda item: (item[1], item[2]))
    return " ".join(f"{sentence} [{rank + 1}]" for _, rank, _, sentence in best)
