"""Answer a chat message from retrieved passages: LLM when it can, extractive when not."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from dataclasses import asdict, dataclass

from app.cache import Cache
from app.extractive import extractive_answer
from app.llm import AnthropicLLM, LLMUnavailable
from app.metrics import Metrics
from app.prompt import SYSTEM_PROMPT, grounded_question, source_name
from app.retrieval import Retriever
from app.vector_store import SearchHit

log = logging.getLogger(__name__)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Source:
    id: str
    source: str
    score: float


@dataclass(frozen=True)
class ChatResult:
    response: str
    sources: list[Source]
    session_id: str
    mode: str
    truncated: bool
    cached: bool


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


class ChatService:
    def __init__(
        self,
        retriever: Retriever,
        llm: AnthropicLLM,
        cache: Cache,
        metrics: Metrics,
        *,
        top_k: int,
        max_message_chars: int,
        response_ttl: int,
        session_ttl: int,
        session_turns: int,
    ) -> None:
        self.retriever = retriever
        self.llm = llm
        self.cache = cache
        self.metrics = metrics
        self.top_k = top_k
        self.max_chars = max_message_chars
        self.response_ttl = response_ttl
        self.session_ttl = session_ttl
        self.session_turns = session_turns

    def _session_key(self, user_id: str, session_id: str) -> str:
        return "session:" + _digest([user_id, session_id])

    def history(self, user_id: str, session_id: str) -> list[dict[str, str]]:
        raw = self.cache.get_list(self._session_key(user_id, session_id))
        turns = []
        for item in raw:
            try:
                turn = json.loads(item)
            except json.JSONDecodeError:
                continue
            if turn.get("role") in ("user", "assistant") and isinstance(turn.get("content"), str):
                turns.append({"role": turn["role"], "content": turn["content"]})
        return turns

    def answer(self, message: str, user_id: str, session_id: str | None) -> ChatResult:
        truncated = len(message) > self.max_chars
        question = message[: self.max_chars] if truncated else message
        session_id = session_id or uuid.uuid4().hex
        history = self.history(user_id, session_id)
        hits = self.retriever.search(question, self.top_k)
        sources = [Source(h.doc_id, source_name(h), round(h.score, 6)) for h in hits]

        key = "response:" + _digest(
            {
                "q": _SPACE.sub(" ", question).strip().lower(),
                "passages": [[h.doc_id, h.chunk, _digest(h.text)] for h in hits],
                "llm": self.llm.model if self.llm.enabled else None,
                "history": history,
            }
        )
        cached = self.cache.get(key)
        self.metrics.cache_lookup(cached is not None)
        if cached is not None:
            data = json.loads(cached)
            response, mode = data["response"], data["mode"]
        else:
            response, mode = self._compose(question, hits, history)
            # An extractive answer given only because the LLM failed is not cached, so
            # the LLM's answer is served again as soon as it is back.
            if mode == "llm" or not self.llm.enabled:
                self.cache.set(
                    key, json.dumps({"response": response, "mode": mode}), self.response_ttl
                )
        self.cache.append_list(
            self._session_key(user_id, session_id),
            [
                json.dumps({"role": "user", "content": question}),
                json.dumps({"role": "assistant", "content": response}),
            ],
            keep=2 * self.session_turns,
            ttl=self.session_ttl,
        )
        return ChatResult(response, sources, session_id, mode, truncated, cached is not None)

    def _compose(
        self, question: str, hits: list[SearchHit], history: list[dict[str, str]]
    ) -> tuple[str, str]:
        if hits and self.llm.enabled:
            messages = [*history, {"role": "user", "content": grounded_question(question, hits)}]
            try:
                return self.llm.complete(SYSTEM_PROMPT, messages).text, "llm"
            except LLMUnavailable:
                pass
        return extractive_answer(question, hits), "extractive"


def result_json(result: ChatResult) -> dict[str, object]:
    data = asdict(result)
    data.pop("cached")
    return data
