"""The LLM drafter: any OpenAI-compatible endpoint (Albert API, vLLM, Ollama…) through LangChain.

The prompt gives numbered sources and demands citations `[n]`. The output is checked before
it reaches a counsellor: its citations must exist, the placeholders of the question must be
intact and no new personal data may appear; otherwise `DraftFailed`, and the chain falls
back to the extractive draft. Only pseudonymised text is ever sent to the endpoint.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

from assistant.drafting import CLOSING, GREETING, Composed, DraftFailed, DraftRequest, passage_body
from assistant.pii.pseudonyms import PLACEHOLDER
from assistant.types import Entity
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
- réponds d'abord à la demande telle qu'elle est résumée (« Demande comprise »), puis complète ;
- ne commence par « Oui » ou « Non » que si une source répond exactement à cette question ;
- si l'usager écrit pour son enfant, adresse-toi à lui au sujet de son enfant ;
- le profil ne sert qu'à ajouter ce qui s'applique à sa situation, jamais à changer la réponse principale ;
- commence par « Bonjour, » et termine par une phrase d'au revoir courte."""

_CITATION = re.compile(r"\[(\d{1,2})\]")


def sources_block(evidence: Sequence[Hit]) -> str:
    return "\n\n".join(
        f"[{n}] {hit.title} ({hit.doc_id})\n{passage_body(hit)}" for n, hit in enumerate(evidence, start=1)
    )


def user_prompt(request: DraftRequest, evidence: Sequence[Hit]) -> str:
    """The conversation so far, the message, how it was understood, the writer's situation, the sources."""
    understood = request.understood
    profile = understood.profile.to_json()
    parts = []
    if request.history:
        parts.append("Messages précédents de l'usager :\n" + "\n".join(f"- {turn}" for turn in request.history))
    parts.append(f"Message de l'usager : {request.question}")
    parts.append(f"Demande comprise : {request.need}")
    if profile:
        parts.append("Situation de l'usager : " + " ; ".join(f"{k} = {', '.join(v) if isinstance(v, list) else v}"
                                                            for k, v in profile.items()))
    if request.complement is not None:
        parts.append(f"La source [{evidence.index(request.complement) + 1}] s'applique à sa situation : "
                     "ajoute-la en complément, sans changer la réponse principale.")
    parts.append(f"Sources :\n\n{sources_block(evidence)}")
    return "\n\n".join(parts)


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

    def compose(self, request: DraftRequest) -> Composed:
        evidence = list(request.evidence[: self._max_sources])
        if request.complement is not None and request.complement not in evidence:
            evidence.append(request.complement)
        if not evidence:
            raise DraftFailed("aucune source utilisable")
        question = request.question
        messages = [("system", SYSTEM_PROMPT), ("human", user_prompt(request, evidence))]
        try:
            reply = self._chat.invoke(messages)
        except Exception as exc:  # network, HTTP status, timeout, malformed reply: all fall back
            raise DraftFailed(f"le modèle n'a pas répondu ({type(exc).__name__})") from exc
        text = self._checked(str(reply.content).strip(), question, len(evidence))
        return Composed(text, self._cited(text, evidence), text)

    def _checked(self, text: str, question: str, sources: int) -> str:
        if not text or text.startswith("ABSTENTION"):
            raise DraftFailed("le modèle s'est abstenu")
        numbers = [int(n) for n in _CITATION.findall(text)]
        if not numbers:
            raise DraftFailed("le brouillon du modèle ne cite aucune source")
        if any(n < 1 or n > sources for n in numbers):
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
