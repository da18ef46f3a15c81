"""The LLM drafter: any OpenAI-compatible endpoint (Albert API, vLLM, Ollama…) through LangChain.

The prompt gives numbered sources and demands citations `[n]`. The output is checked before
it reaches a counsellor: its citations must exist, the placeholders of the question must be
intact and no new personal data may appear; otherwise `DraftFailed`, and the chain falls
back to the extractive draft. Only pseudonymised text is ever sent to the endpoint.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

from assistant.drafting import CLOSING, GREETING, Composed, DraftFailed, passage_body
from assistant.pii.pseudonyms import PLACEHOLDER
from assistant.pii.scrubber import Entity
from knowledge.types import Hit

SYSTEM_PROMPT = """Tu aides les conseillers et conseillères de l'Onisep à répondre au public \
(élèves, étudiants, parents). Rédige un brouillon de réponse en français simple et bienveillant, \
en vouvoyant, à partir des seules sources numérotées fournies.
Règles :
- chaque information vient d'une source et porte sa référence entre crochets, par exemple [1] ;
- n'invente ni date, ni chiffre, ni procédure : si les sources ne permettent pas de répondre, \
écris seulement ABSTENTION ;
- recopie telles quelles les balises comme <PERSONNE_1> ou <TELEPHONE_1>, n'écris aucune autre donnée personnelle ;
- emploie les intitulés de métiers inclusifs (par exemple « infirmier/ère ») ;
- n'oriente jamais selon le genre, l'origine, le handicap ou le lieu de vie ;
- commence par « Bonjour, » et termine par une phrase d'au revoir courte."""

_CITATION = re.compile(r"\[(\d{1,2})\]")


def sources_block(evidence: Sequence[Hit]) -> str:
    return "\n\n".join(
        f"[{n}] {hit.title} ({hit.doc_id})\n{passage_body(hit)}" for n, hit in enumerate(evidence, start=1)
    )


class LLMDrafter:
    """Drafts with a chat model; raises `DraftFailed` on error, timeout or a failed check."""

    name = "llm"

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None,
        find: Callable[[str], list[Entity]],
        timeout: float = 20.0,
        max_sources: int = 4,
    ) -> None:
        from langchain_openai import ChatOpenAI

        self.model = model
        self._find = find
        self._max_sources = max_sources
        self._chat = ChatOpenAI(
            base_url=base_url,
            model=model,
            api_key=api_key or "sans-cle",
            timeout=timeout,
            max_retries=0,
            temperature=0.1,
        )

    def compose(self, question: str, evidence: Sequence[Hit]) -> Composed:
        evidence = list(evidence[: self._max_sources])
        if not evidence:
            raise DraftFailed("aucune source utilisable")
        messages = [
            ("system", SYSTEM_PROMPT),
            ("human", f"Sources :\n\n{sources_block(evidence)}\n\nQuestion de l'usager : {question}"),
        ]
        try:
            reply = self._chat.invoke(messages)
        except Exception as exc:  # network, HTTP status, timeout, malformed reply: all fall back
            raise DraftFailed(f"le modèle n'a pas répondu ({type(exc).__name__})") from exc
        text = str(reply.content).strip()
        return Composed(self._checked(text, question), self._cited(text, evidence))

    def _checked(self, text: str, question: str) -> str:
        if not text or text.startswith("ABSTENTION"):
            raise DraftFailed("le modèle s'est abstenu")
        numbers = [int(n) for n in _CITATION.findall(text)]
        if not numbers:
            raise DraftFailed("le brouillon du modèle ne cite aucune source")
        if any(n < 1 or n > self._max_sources for n in numbers):
            raise DraftFailed("le brouillon du modèle cite une source qui n'existe pas")
        asked = {m.group(0) for m in PLACEHOLDER.finditer(question)}
        written = {m.group(0) for m in PLACEHOLDER.finditer(text)}
        if written - asked:
            raise DraftFailed("le brouillon du modèle invente des balises de données personnelles")
        if self._find(PLACEHOLDER.sub(" ", text)):
            raise DraftFailed("le brouillon du modèle contient des données personnelles")
        if not text.startswith(GREETING.rstrip(",")):
            text = f"{GREETING}\n\n{text}"
        return text if text.rstrip().endswith(("!", ".", "?")) else f"{text}\n\n{CLOSING}"

    def _cited(self, text: str, evidence: Sequence[Hit]) -> list[Hit]:
        cited = sorted({int(n) for n in _CITATION.findall(text)})
        return [evidence[n - 1] for n in cited if 1 <= n <= len(evidence)]
