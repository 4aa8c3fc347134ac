"""The Gemini provider, over the google-genai SDK's async client: an adapter behind the
domain's InsightsProvider port (domain/insights/providers.py)."""

from __future__ import annotations

import asyncio
import re

import httpx
from google import genai
from google.genai import errors, types
from opentelemetry import trace

from domain.insights.prompt import SYSTEM_INSTRUCTION, render_prompt
from domain.insights.providers import FailureReason, ProviderFailed
from domain.insights.snapshot import PortfolioSnapshot

MAX_OUTPUT_TOKENS = 300
"""Four sentences take about 150 tokens; the bound stops a runaway answer, and its cost."""
MAX_SUMMARY_CHARS = 1200

_BLOCKING_FINISHES = {
    types.FinishReason.SAFETY,
    types.FinishReason.RECITATION,
    types.FinishReason.BLOCKLIST,
    types.FinishReason.PROHIBITED_CONTENT,
    types.FinishReason.SPII,
    types.FinishReason.LANGUAGE,
}
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


def _thinking_for(model: str) -> types.ThinkingConfig | None:
    # Thinking tokens count against max_output_tokens, and a short reading needs no
    # thinking: turn it down where the model family accepts that setting, and leave
    # other models at their default rather than send a setting they reject.
    if model.startswith("gemini-3") and "flash" in model:
        return types.ThinkingConfig(thinking_level=types.ThinkingLevel.MINIMAL)
    if model.startswith("gemini-2.5-flash"):
        return types.ThinkingConfig(thinking_budget=0)
    return None


def _whole_sentences(text: str) -> str:
    """``text`` up to its last complete sentence (an answer cut off mid-sentence ends cleanly)."""
    ends = [match.end() for match in _SENTENCE_END.finditer(text)]
    return text[: ends[-1]] if ends else ""


def _api_failure(error: errors.APIError) -> ProviderFailed:
    detail = f"HTTP {error.code} {error.status or ''}".strip()
    if error.code == 429:
        return ProviderFailed(FailureReason.QUOTA, detail)
    if error.code in (408, 504):
        return ProviderFailed(FailureReason.TIMEOUT, detail)
    return ProviderFailed(FailureReason.UNAVAILABLE, detail)


def _summary_of(response: types.GenerateContentResponse) -> str:
    feedback = response.prompt_feedback
    if feedback is not None and feedback.block_reason is not None:
        raise ProviderFailed(FailureReason.BLOCKED, f"prompt blocked: {feedback.block_reason}")
    candidate = response.candidates[0] if response.candidates else None
    if candidate is None:
        raise ProviderFailed(FailureReason.UNAVAILABLE, "answer without a candidate")
    if candidate.finish_reason in _BLOCKING_FINISHES:
        raise ProviderFailed(FailureReason.BLOCKED, f"answer stopped: {candidate.finish_reason}")
    text = " ".join((response.text or "").split())
    if candidate.finish_reason == types.FinishReason.MAX_TOKENS or len(text) > MAX_SUMMARY_CHARS:
        text = _whole_sentences(text[:MAX_SUMMARY_CHARS])
    if not text:
        raise ProviderFailed(FailureReason.UNAVAILABLE, "empty answer")
    return text


# A no-op tracer unless web.tracing installed a provider (OTEL_EXPORTER_OTLP_ENDPOINT).
_tracer = trace.get_tracer("cnop.insights")


class GeminiProvider:
    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        timeout_s: float,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        """``http_client`` replaces the SDK's own async HTTP client (tests pass a mock one)."""
        self._model = model
        self._timeout_s = timeout_s
        options = types.HttpOptions(
            timeout=max(1, int(timeout_s * 1000)), httpx_async_client=http_client
        )
        self._client = genai.Client(api_key=api_key, http_options=options)
        self._config = types.GenerateContentConfig(
            system_instruction=SYSTEM_INSTRUCTION,
            temperature=0.4,
            candidate_count=1,
            max_output_tokens=MAX_OUTPUT_TOKENS,
            thinking_config=_thinking_for(model),
        )

    @property
    def model(self) -> str:
        return self._model

    async def summarise(self, snapshot: PortfolioSnapshot) -> str:
        prompt = render_prompt(snapshot)
        try:
            # The SDK's timeout bounds each HTTP exchange; this bounds the whole call.
            with _tracer.start_as_current_span(
                "gemini generate_content",
                kind=trace.SpanKind.CLIENT,
                attributes={"gen_ai.system": "gemini", "gen_ai.request.model": self._model},
            ):
                async with asyncio.timeout(self._timeout_s):
                    response = await self._client.aio.models.generate_content(
                        model=self._model, contents=prompt, config=self._config
                    )
        except TimeoutError:
            raise ProviderFailed(
                FailureReason.TIMEOUT, f"no answer within {self._timeout_s}s"
            ) from None
        except errors.APIError as error:
            raise _api_failure(error) from None
        except Exception as error:
            # Transport failures (httpx or httpx2, whichever the SDK runs on) and answers
            # the SDK cannot parse: the provider is unusable either way.
            name = type(error).__name__
            reason = FailureReason.TIMEOUT if "Timeout" in name else FailureReason.UNAVAILABLE
            raise ProviderFailed(reason, name) from None
        return _summary_of(response)

    async def aclose(self) -> None:
        await self._client.aio.aclose()
