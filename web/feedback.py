"""What the public chooses to tell besides their question: who they are and where from (for the
usage study, never required), and their opinion of the conversation (« Je donne mon avis »).

Use-cases like those of `web.conversations`: the route passes the conversation its socket opened
with the token, so a person only ever describes or rates their own conversation.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from web import protocol
from web.conversations import Outcome, Refused, scrub
from web.deps import Services
from web.store import AlreadyRated


async def set_profile(ctx: Services, conversation: str, frame: protocol.Profile) -> Outcome:
    """Record (or clear) the audience and département the person gave."""
    if ctx.limits.messages_per_conversation.admit(conversation):
        raise Refused("trop_rapide", "Vous écrivez trop vite : patientez un instant.")
    await run_in_threadpool(ctx.store.set_profile, conversation, frame.audience, frame.departement)
    return Outcome(reply=[protocol.Ack(outcome="profile")])


async def rate(ctx: Services, conversation: str, frame: protocol.Rate) -> Outcome:
    """The person's score and comment, once per conversation that has messages; the comment is
    pseudonymised with the conversation's mapping, like a message (fail closed)."""
    if ctx.limits.messages_per_conversation.admit(conversation):
        raise Refused("trop_rapide", "Vous écrivez trop vite : patientez un instant.")
    _, _, last_seq = await run_in_threadpool(ctx.store.state, conversation)
    if last_seq == 0:
        raise Refused("sans_message", "Vous pourrez donner votre avis une fois votre premier message envoyé.")
    if await run_in_threadpool(ctx.store.rated, conversation):  # before scrubbing: a second one costs nothing
        raise _already_rated()
    comment = None
    if frame.comment:
        comment, _ = await scrub(ctx, conversation, frame.comment)
    try:
        await run_in_threadpool(ctx.store.rate, conversation, frame.score, comment)
    except AlreadyRated as exc:  # another tab rated meanwhile
        raise _already_rated() from exc
    return Outcome(reply=[protocol.Ack(outcome="rated")])


def _already_rated() -> Refused:
    return Refused("deja_note", "Vous avez déjà donné votre avis sur cette conversation. Merci !")
