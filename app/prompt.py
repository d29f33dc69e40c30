"""The grounded prompt: numbered passages, the question, and the citation rule."""

from __future__ import annotations

from app.vector_store import SearchHit

SYSTEM_PROMPT = (
    "You are a support agent. Answer only from the numbered passages in the user's "
    "message. Cite every statement with the passage number in square brackets, like [1]. "
    "If the passages do not contain the answer, say that the knowledge base does not "
    "cover it. Be concise."
)


def source_name(hit: SearchHit) -> str:
    for key in ("source", "title", "url"):
        value = hit.metadata.get(key)
        if isinstance(value, str) and value:
            return value
    return hit.doc_id


def grounded_question(question: str, hits: list[SearchHit]) -> str:
    passages = "\n\n".join(
        f"[{n}] ({source_name(hit)})\n{hit.text}" for n, hit in enumerate(hits, start=1)
    )
    return f"Passages:\n\n{passages}\n\nQuestion: {question}"
