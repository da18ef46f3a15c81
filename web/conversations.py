"""The rules of a conversation, in one place.

One function per operation of the widget or the console. Each takes the application context,
who acts and a typed inbound frame; checks, in the same unit of work as the act, that the
actor may do it (the draft belongs to the conversation, the conversation is in one of the
counsellor's services *now*, its state allows it); and returns an `Outcome`: typed events for
the caller, notices for the other sockets, and a message to draft for, if any. A rule that says
no raises `Refused`, `NotFound` or `Closed`; `refusal()` turns those into one error frame.

The routes are adapters: read a frame, call the use-case, `deliver` the outcome.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocket

from assistant.pii import PseudonymMap, ScrubFailed
from web import protocol
from web.broker import BrokerUnavailable
from web.deps import Counsellor, Services
from web.hub import send
from web.mappings import forget_mapping, phone_mapping_id
from web.canned import canned_answer
from web.offline import is_open
from web.store import AlreadyAnswered, AlreadyTaken, Closed, NotFound, StoredMessage, Unreadable

log = logging.getLogger(__name__)


# -- what comes out ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Notice:
    """An event for other sockets, through the broker: a conversation's widgets, or the
    consoles of one service."""

    event: protocol.ConsoleOut
    conversation: str | None = None
    service: str | None = None  # set: to the consoles of this service; else to the conversation's widgets

    def __post_init__(self) -> None:
        if self.service is None and isinstance(self.event, protocol.CONSOLE_ONLY):  # never a draft to the public
            raise TypeError(f"a {self.event.type} event is for counsellors only")

    def envelope(self) -> dict:
        to = {"to": "consoles", "service": self.service} if self.service else {"to": "conversation"}
        return {**to, "conversation": self.conversation, "payload": protocol.wire(self.event)}


@dataclass
class Outcome:
    reply: list[protocol.Out] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    draft_for: StoredMessage | None = None  # a user message the counsellors should get a draft for
    mail_queued: bool = False  # an answer waits in the outbox: wake the sender once the replies are out


class Refused(Exception):
    """A rule says no: the caller gets an error frame (or an HTTP error) with this French message."""

    def __init__(self, code: str, message: str, status: int = 409, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.retry_after = code, message, status, retry_after


def refusal(exc: Exception, audience: str) -> protocol.Error | None:
    """The error frame for a refused operation (None: not a refusal, let it raise)."""
    if isinstance(exc, Refused):
        return protocol.error(exc.code, exc.message)
    if isinstance(exc, NotFound):
        return protocol.error("introuvable", "Conversation introuvable." if audience == "console" else
                              "Conversation introuvable ou expirée : une nouvelle va commencer.")
    if isinstance(exc, Closed):
        return protocol.error("fermee", "Cette conversation est terminée : elle ne peut plus changer." if audience == "console"
                              else "Cette conversation est terminée : ouvrez une nouvelle conversation pour poser une autre question.")
    if isinstance(exc, AlreadyTaken):
        return protocol.error("deja_pris", "Un conseiller ou une conseillère a déjà pris cette conversation.")
    if isinstance(exc, Unreadable):  # stored under a secret key the server no longer has
        return protocol.error("illisible", "Cette conversation a été chiffrée avec une ancienne clé : l'équipe technique doit "
                                           "renseigner RELAIS_OLD_SECRET_KEYS." if audience == "console" else
                              "Votre conversation ne peut pas être reprise : une nouvelle va commencer.")
    if isinstance(exc, ScrubFailed):  # fail closed: nothing was stored or sent
        return protocol.error("indisponible", "Le message n'a pas pu être traité : réessayez." if audience == "console"
                              else "Votre message n'a pas pu être traité : nous réessayons dans un instant.")
    return None


async def deliver(ctx: Services, socket: WebSocket, outcome: Outcome) -> None:
    """Send the replies, then publish the notices, then start the draft in the background."""
    for event in outcome.reply:
        await send(socket, event)
    try:
        for notice in outcome.notices:
            await ctx.broker.publish(notice.envelope())
    except BrokerUnavailable:  # what was stored stays stored; the live relay is what failed
        await send(socket, protocol.error("diffusion", "Enregistré, mais la transmission en direct est interrompue : "
                                                       "elle reprendra sous peu."))
    if outcome.draft_for is not None:
        start_draft(ctx, outcome.draft_for)
    if outcome.mail_queued:
        ctx.mailer.wake()


# -- the public's side ------------------------------------------------------------------------
@dataclass(frozen=True)
class Opened:
    conversation: str
    service: str
    token: str | None = None  # a new conversation's, sent once
    position: int | None = None  # a new conversation's place in its queue


async def hello(ctx: Services, frame: protocol.Hello, address: str, wait_turn: bool = True,
                on_wait: Callable[[protocol.Opening], Awaitable[None]] | None = None) -> Opened:
    """Resume a conversation with its token, or open a new one: limited per address, and paced (a
    few at once, then each waits its turn), so that a burst of them never stalls the relay of others.
    Without `wait_turn` (a socket that opened one already: a widget opens its first when its panel
    opens, only a script sends hello after hello) a new one opens if its turn is now, else is refused
    at once: its next hellos do not pile up unread behind a wait, to be refused all in one go after.
    A wait of a second or more is told to the person first (`on_wait`)."""
    if frame.conversation and frame.token:
        service = await run_in_threadpool(ctx.store.check_token, frame.conversation, frame.token)
        return Opened(frame.conversation, service)
    limits = ctx.limits
    if wait := limits.conversations_per_address.admit(address):
        raise Refused("trop_de_conversations", "Trop de conversations ouvertes depuis votre connexion : patientez "
                                               f"{_minutes(wait)} avant d'en ouvrir une autre.")
    turn = limits.conversations_pace.book(address, None if wait_turn else 0.0)
    if turn is None:  # too many waiting already: refused, and not counted
        limits.conversations_per_address.undo(address)
        raise Refused("trop_de_conversations", "Trop de conversations s'ouvrent en même temps depuis votre connexion : "
                                               "réessayez dans une minute.")
    if turn:
        if on_wait and turn >= 1:
            seconds = math.ceil(turn)
            await on_wait(protocol.Opening(seconds=seconds, message="Beaucoup de conversations s'ouvrent en ce moment depuis "
                                           f"votre réseau : votre conversation s'ouvre dans {seconds} seconde"
                                           f"{'s' if seconds > 1 else ''}."))
        await asyncio.sleep(turn)
    service = frame.service or "moel"
    opened = await run_in_threadpool(ctx.store.open_in_queue, service)
    return Opened(opened.public_id, service, opened.token, opened.position)


async def catch_up(ctx: Services, opened: Opened, last_seq: int) -> Outcome:
    """The welcome, then the messages after `last_seq`, real text restored for their owner."""
    store = ctx.store
    if opened.token:  # just opened, nothing written: no state or history to read (a flood of hellos costs less)
        service, status, seq, position = opened.service, "waiting", 0, opened.position
    else:
        service, status, seq = await run_in_threadpool(store.state, opened.conversation)
        position = await run_in_threadpool(store.queue_position, opened.conversation)
    welcome = protocol.Welcome(conversation=opened.conversation, service=service, token=opened.token, resumed=seq > 0,
                               position=position, open=is_open(ctx.settings, service))
    reply = [welcome, *(await history(ctx, opened.conversation, last_seq) if seq > last_seq else [])]
    if status == "closed":  # the widget offers « Je donne mon avis » unless it was given
        reply.append(protocol.ConversationEnded(rated=await run_in_threadpool(store.rated, opened.conversation)))
    return Outcome(reply=reply)


async def user_message(ctx: Services, conversation: str, frame: protocol.UserMessage, chosen: str | None = None) -> Outcome:
    """The public writes: within the limits and the opening hours, routed on the first message
    to the service the user chose (with the message, else `chosen` when the conversation opened;
    guessed from the text when they do not know), scrubbed, stored, relayed to the counsellors
    of the conversation's service *now*, then drafted for."""
    if ctx.limits.messages_per_conversation.admit(conversation):
        raise Refused("trop_rapide", "Vous écrivez trop vite : patientez un instant.")
    service, status, last_seq = await run_in_threadpool(ctx.store.state, conversation)
    reply: list[protocol.Out] = []
    if last_seq == 0 and status == "waiting":
        wanted = frame.service or chosen or guess_service(frame.text)
        if wanted != service and await run_in_threadpool(ctx.store.route, conversation, wanted):
            service = wanted
            reply.append(protocol.ServiceChanged(service=service))
    if status == "waiting" and not is_open(ctx.settings, service):
        # A conversation a counsellor has taken goes on past closing time; nobody would read a new one.
        raise Refused("ferme", "Le service est fermé pour le moment : laissez votre question dans le formulaire, "
                               "nous vous répondrons par courriel.")
    stored, _ = await _store(ctx, conversation, "user", frame.text, frame.key)
    reply.append(protocol.Ack(key=frame.key, seq=stored.seq))
    if stored.duplicate:
        return Outcome(reply=reply)
    return Outcome(reply=reply, notices=_relay(conversation, stored), draft_for=stored if ctx.settings.drafts else None)


async def erase(ctx: Services, conversation: str, frame: protocol.Erase) -> Outcome:
    """The person erases their conversation (the route passes the one its socket opened with the
    token): messages, drafts and mapping go, from the database and from memory; their other tabs
    and the consoles of its service are told."""
    service = await run_in_threadpool(ctx.store.erase_conversation, conversation)
    await forget_mapping(ctx, conversation)  # from the memory of every process
    erased = protocol.Erased(conversation=conversation)
    return Outcome(reply=[erased], notices=[Notice(erased, conversation), Notice(erased, conversation, service)])


_PARCOURSUP = re.compile(r"parcours\s?up|v[œo]e?ux|phase compl[ée]mentaire|terminale|\bcaes\b|apr[eè]s (?:le )?bac", re.IGNORECASE)
_MONMASTER = re.compile(r"mon\s?master|\bmaster\b|\bm1\b|\bm2\b|recteur", re.IGNORECASE)


def guess_service(text: str) -> str:
    """The hotline a first message most likely belongs to (Mon orientation en ligne by default)."""
    if _MONMASTER.search(text):
        return "monmaster"
    if _PARCOURSUP.search(text):
        return "parcoursup"
    return "moel"


async def offline_request(ctx: Services, form: protocol.OfflineForm, address: str) -> int:
    """The offline form, only while the service is closed: the question pseudonymised, the address
    encrypted, for the service's inbox."""
    if not form.consent:
        raise Refused("consentement", "Merci d'accepter le traitement de vos données pour que nous puissions vous répondre.", 422)
    if is_open(ctx.settings, form.service):
        raise Refused("ouvert", "Le service est ouvert : posez votre question dans le tchat, un conseiller ou une "
                                "conseillère vous répond tout de suite.")
    if wait := ctx.limits.offline_per_address.admit(address):  # only questions that would be stored count
        raise Refused("trop_de_demandes", "Vous avez déjà envoyé plusieurs questions : réessayez plus tard.", 429, wait)
    try:
        scrubbed, mapping = await ctx.nlp.scrub(form.question, PseudonymMap("offline"))
    except ScrubFailed as exc:
        raise Refused("indisponible", "Votre question n'a pas pu être enregistrée : réessayez dans un instant.", 503) from exc
    request_id = await run_in_threadpool(ctx.store.add_offline, form.service, scrubbed, form.email, mapping)
    await _publish(ctx, Notice(protocol.OfflineReceived(id=request_id, service=form.service), service=form.service))
    return request_id


# -- drafts for the counsellors -------------------------------------------------------------
# A person writing faster than drafts are made: three of their drafts at most are waiting or being
# made, the others are skipped (their messages are relayed as always), so that a burst never fills
# the backlog of all.
DRAFTS_PER_CONVERSATION = 3


def start_draft(ctx: Services, stored: StoredMessage) -> None:
    """Draft off the socket's path; past the backlog, counsellors answer without a draft."""
    hub, conversation = ctx.hub, stored.conversation
    here = hub.drafts_of[conversation]
    if len(hub.drafting) >= ctx.settings.draft_backlog or here >= DRAFTS_PER_CONVERSATION:
        log.warning("draft skipped: %d drafts already waiting (%d of this conversation)", len(hub.drafting), here)
        task = asyncio.create_task(_publish(ctx, Notice(protocol.DraftSkipped(conversation=conversation, seq=stored.seq),
                                                        conversation, stored.service)))
    else:
        task = asyncio.create_task(draft_for_counsellors(ctx, stored))
        hub.drafts_of[conversation] += 1
        task.add_done_callback(lambda _: hub.draft_done(conversation))
    hub.drafting.add(task)  # keep a reference until done
    task.add_done_callback(hub.drafting.discard)


async def draft_for_counsellors(ctx: Services, stored: StoredMessage) -> None:
    """Draft, store, and push to the counsellors of the service the conversation is in once the
    draft is ready (a transfer may have moved it meanwhile). A failed draft never loses the
    message: the counsellors are told the draft is unavailable."""
    conversation = stored.conversation
    try:
        history_turns = await run_in_threadpool(ctx.store.user_turns, conversation, stored.seq)
        async with ctx.hub.drafters(ctx.settings.draft_workers).turn(conversation):
            payload = await ctx.nlp.draft(stored.text, stored.service, history_turns)
        draft_id = await run_in_threadpool(ctx.store.save_draft, conversation, stored.message_id, payload)
        notice = await _draft_notice(ctx, conversation, draft_id, stored.seq, payload)
    except NotFound:  # erased (or purged) while it was being drafted: nobody is left to draft for
        log.info("conversation %s was erased while a draft was made for it", conversation)
        return
    except Exception:  # noqa: BLE001 (any failure of the models: a dead process, a timeout, a bug)
        log.exception("drafting failed for a message of conversation %s", conversation)
        try:
            service = await run_in_threadpool(ctx.store.service_of, conversation)
        except NotFound:  # erased meanwhile
            return
        notice = Notice(protocol.DraftUnavailable(conversation=conversation, seq=stored.seq), conversation, service)
    await _publish(ctx, notice)


async def _draft_notice(ctx: Services, conversation: str, draft_id: int, seq: int, payload: dict) -> Notice:
    service = await run_in_threadpool(ctx.store.service_of, conversation)
    event = protocol.Draft(conversation=conversation, draft_id=draft_id, seq=seq, text=payload["draft"], draft=payload)
    return Notice(event, conversation, service)  # the hub restores the text for each console


async def _publish(ctx: Services, notice: Notice) -> None:
    try:
        await ctx.broker.publish(notice.envelope())
    except BrokerUnavailable:
        log.warning("a %s event for conversation %s could not be published", notice.event.type, notice.conversation)


# -- the counsellors' side --------------------------------------------------------------------
async def queues(ctx: Services, who: Counsellor) -> Outcome:
    """The open conversations of the counsellor's services, their last words and transfer notes
    restored (a mapping is read only for a row that holds a placeholder)."""
    items = await run_in_threadpool(ctx.store.queues, None if who.scope is None else list(who.scope))
    for item in items:
        pseudonymised = f"{item['preview']} {item.get('note') or ''}"
        try:
            mapping = await ctx.hub.mapping(item["conversation"], pseudonymised)
        except Unreadable:  # sealed under a key the server no longer has: its row shows the placeholders
            continue
        item["preview"] = mapping.restore(item["preview"])
        if item.get("note"):
            item["note"] = mapping.restore(item["note"])
    return Outcome(reply=[protocol.Queues(conversations=items)])


async def open_conversation(ctx: Services, who: Counsellor, frame: protocol.Open) -> Outcome:
    """A conversation's messages after `last_seq`, then its undecided draft if one came before."""
    reply = await history(ctx, frame.conversation, frame.last_seq, who.scope)
    pending = await run_in_threadpool(ctx.store.pending_draft, frame.conversation, who.scope)
    if pending:
        draft_id, payload, seq = pending
        mapping = await ctx.hub.mapping(frame.conversation, payload["draft"])
        reply.append(protocol.Draft(conversation=frame.conversation, draft_id=draft_id, seq=seq,
                                    text=mapping.restore(payload["draft"]), draft=payload))
    return Outcome(reply=reply)


async def search(ctx: Services, who: Counsellor, frame: protocol.Search) -> Outcome:
    """Manual search; with a conversation (of the counsellor's services), read with its turns."""
    _console_work(ctx, who)
    service, turns = frame.service, []
    if frame.conversation:
        own, _, _ = await run_in_threadpool(ctx.store.state, frame.conversation)
        if not who.serves(own):
            raise NotFound(frame.conversation)
        service = service or own
        turns = await run_in_threadpool(ctx.store.user_turns, frame.conversation, None, 4, who.scope)
    found = await ctx.nlp.search(frame.query, frame.k, service, turns)
    for result in found.get("results", []):  # what « Insérer dans la réponse » puts in the answer
        result["answer"] = canned_answer(result.get("passage") or "", result.get("title") or "", result.get("url"))
    return Outcome(reply=[protocol.SearchResults(query=frame.query, **found)])


async def redraft(ctx: Services, who: Counsellor, frame: protocol.Redraft) -> Outcome:
    """Draft again for the same message, from the candidate source the counsellor chose."""
    _console_work(ctx, who)
    message_id, text, seq, service = await run_in_threadpool(ctx.store.draft_message, frame.conversation, frame.draft_id,
                                                             who.scope)
    turns = await run_in_threadpool(ctx.store.user_turns, frame.conversation, seq)
    payload = await ctx.nlp.draft(text, service, turns, frame.source)
    draft_id = await run_in_threadpool(ctx.store.save_draft, frame.conversation, message_id, payload)
    return Outcome(notices=[await _draft_notice(ctx, frame.conversation, draft_id, seq, payload)])


async def take(ctx: Services, who: Counsellor, frame: protocol.Take) -> Outcome:
    service = await run_in_threadpool(ctx.store.take, frame.conversation, who.user_id, who.scope)
    name = await run_in_threadpool(ctx.store.login_of, who.user_id)
    taken = protocol.Taken(conversation=frame.conversation, by=who.user_id, name=name)
    return Outcome(notices=[Notice(taken, frame.conversation, service),
                            *await _say(ctx, frame.conversation, "Un conseiller ou une conseillère a rejoint la conversation.")])


async def counsellor_send(ctx: Services, who: Counsellor, frame: protocol.Send) -> Outcome:
    """A counsellor's answer: scrubbed with the conversation's mapping, stored together with
    what they did with the draft (sent as is or edited), relayed."""
    decision = None
    if frame.draft_id is not None:  # checked before anything is stored: another conversation's draft refuses the send
        draft_text = await run_in_threadpool(ctx.store.draft_text, frame.conversation, frame.draft_id, who.scope)
        mapping = await ctx.hub.mapping(frame.conversation, draft_text or "")
        same = draft_text is not None and mapping.restore(draft_text).strip() == frame.text.strip()
        decision = (frame.draft_id, "sent" if same else "edited")
    stored, _ = await _store(ctx, frame.conversation, "counsellor", frame.text, frame.key, who, decision)
    outcome = Outcome(reply=[protocol.Ack(key=frame.key, seq=stored.seq)])
    if not stored.duplicate:
        outcome.notices = _relay(frame.conversation, stored)
    return outcome


async def reject(ctx: Services, who: Counsellor, frame: protocol.Reject) -> Outcome:
    """The counsellor will not send this draft; why is stored with the decision, their own words
    pseudonymised with the conversation's mapping (like a final text)."""
    if frame.reason == "autre" and not frame.comment:
        raise Refused("raison_manquante", "Précisez en quelques mots pourquoi vous rejetez ce brouillon.", 422)
    reason = protocol.REJECT_REASONS[frame.reason] if frame.reason else None
    if frame.comment:
        service, _, _ = await run_in_threadpool(ctx.store.state, frame.conversation)
        if not who.serves(service):  # scrubbed with the conversation's mapping: check first
            raise NotFound(frame.conversation)
        comment, _ = await scrub(ctx, frame.conversation, frame.comment)
        reason = f"{reason} : {comment}" if reason else comment
    if not await run_in_threadpool(ctx.store.decide_draft, frame.conversation, frame.draft_id, "rejected", None,
                                   who.user_id, who.scope, reason):
        raise Refused("deja_traite", "Ce brouillon a déjà été traité.")
    return Outcome(reply=[protocol.Ack(draft_id=frame.draft_id, outcome="rejected")])


async def transfer(ctx: Services, who: Counsellor, frame: protocol.Transfer) -> Outcome:
    """To another service's queue, with a note for it (pseudonymised in the audit)."""
    note = None
    if frame.note:
        service, _, _ = await run_in_threadpool(ctx.store.state, frame.conversation)
        if not who.serves(service):  # the note is scrubbed with the conversation's mapping: check first
            raise NotFound(frame.conversation)
        note, _ = await scrub(ctx, frame.conversation, frame.note)
    old = await run_in_threadpool(ctx.store.transfer, frame.conversation, frame.service, who.user_id, note, who.scope)
    moved = protocol.Transferred(conversation=frame.conversation, service=frame.service, previous=old, note=note)
    return Outcome(notices=[*(Notice(moved, frame.conversation, s) for s in dict.fromkeys((old, frame.service))),
                            *await _say(ctx, frame.conversation, "Votre conversation a été transmise à un autre service."),
                            Notice(protocol.ServiceChanged(service=frame.service), frame.conversation)])  # the widget's select


async def close(ctx: Services, who: Counsellor, frame: protocol.Close) -> Outcome:
    """Close the conversation; its mapping leaves the memory of every process (the store keeps it)."""
    service = await run_in_threadpool(ctx.store.close, frame.conversation, who.user_id, who.scope)
    await forget_mapping(ctx, frame.conversation)
    return Outcome(notices=[*await _say(ctx, frame.conversation, "La conversation est terminée. Merci de nous avoir écrit !"),
                            Notice(protocol.ConversationClosed(conversation=frame.conversation), frame.conversation, service),
                            Notice(protocol.ConversationEnded(), frame.conversation)])


async def phone(ctx: Services, who: Counsellor, frame: protocol.Phone) -> Outcome:
    """Phone mode: the counsellor types the caller's question; no public user, nothing stored.
    The questions of one call share its mapping, held in this process's memory only: until the
    call ends (`end`) or RELAIS_PHONE_MAPPING_MINUTES after its last question."""
    mapping_id = phone_mapping_id(who.user_id, frame.call)
    if frame.end:
        if frame.call is None:
            raise Refused("appel_manquant", "Précisez l'appel à terminer.", 422)
        if frame.question is not None:
            raise Refused("invalide", "Une fin d'appel ne porte pas de question : envoyez-la à part.", 422)
        await forget_mapping(ctx, mapping_id)
        return Outcome(reply=[protocol.Ack(outcome="call_ended")])
    if frame.question is None:
        raise Refused("question_manquante", "Saisissez la question de l'appelant.", 422)
    _console_work(ctx, who)
    calls = ctx.hub.calls(ctx.settings.phone_mapping_minutes)
    mapping = calls.get(mapping_id) if frame.call else PseudonymMap(mapping_id)
    payload, text, grown = await ctx.nlp.ask(frame.question, frame.service, mapping)
    if frame.call:
        calls.replace(grown)  # unless the call ended meanwhile: then it stays ended
    return Outcome(reply=[protocol.PhoneDraft(text=text, draft=payload, call=frame.call)])


async def inbox(ctx: Services, who: Counsellor, frame: protocol.Inbox) -> Outcome:
    requests = await run_in_threadpool(ctx.store.console_inbox, None if who.scope is None else list(who.scope))
    return Outcome(reply=[protocol.InboxList(requests=requests)])


async def answer_offline(ctx: Services, who: Counsellor, frame: protocol.AnswerOffline) -> Outcome:
    """The answer is recorded with its mail in one transaction and mailed in the background: the
    counsellor goes on at once and is told when it has gone (`offline_sent`) or finally failed
    (`offline_failed`, the request back in the inbox)."""
    try:
        await run_in_threadpool(ctx.store.queue_offline_answer, frame.id, frame.text, who.user_id, who.scope)
    except AlreadyAnswered as exc:
        raise Refused("deja_traite", "Cette demande a déjà reçu une réponse.") from exc
    return Outcome(reply=[protocol.Ack(offline_id=frame.id, outcome="queued")], mail_queued=True)


async def queues_again(ctx: Services, who: Counsellor, frame: protocol.QueuesAgain) -> Outcome:
    return await queues(ctx, who)


async def ping(ctx: Services, who: Counsellor | None, frame: protocol.Ping) -> Outcome:
    return Outcome(reply=[protocol.Pong()])


async def typing(ctx: Services, who: Counsellor, frame: protocol.Typing) -> Outcome:
    """A counsellor of the conversation's service is writing: its widgets show « Un conseiller
    écrit… » (nothing is stored; a closed conversation, another service's, or one a colleague has
    taken is refused, like an answer would be)."""
    if ctx.limits.console_typing.admit(str(who.user_id)):
        raise Refused("trop_rapide", "Trop de signaux « écrit… » envoyés : patientez un instant.")
    await run_in_threadpool(ctx.store.may_answer, frame.conversation, who.user_id, who.scope)
    return Outcome(notices=[Notice(protocol.CounsellorTyping(), frame.conversation)])


def _console_work(ctx: Services, who: Counsellor) -> None:
    """Search, re-draft and phone questions share one budget per counsellor: the models serve everyone."""
    if wait := ctx.limits.console_work.admit(str(who.user_id)):
        raise Refused("trop_rapide", f"Trop de recherches et de brouillons demandés d'affilée : patientez {wait} s.")


CONSOLE = {
    protocol.Ping: ping, protocol.Search: search, protocol.Redraft: redraft, protocol.Phone: phone,
    protocol.Inbox: inbox, protocol.AnswerOffline: answer_offline, protocol.Open: open_conversation,
    protocol.Take: take, protocol.Send: counsellor_send, protocol.Reject: reject, protocol.Transfer: transfer,
    protocol.Close: close, protocol.Typing: typing, protocol.QueuesAgain: queues_again,
}


# -- shared steps -------------------------------------------------------------------------------
async def scrub(ctx: Services, conversation: str, text: str) -> tuple[str, PseudonymMap]:
    """`text` pseudonymised with the conversation's mapping (saved only if it grew)."""
    mapping = await run_in_threadpool(ctx.store.mapping, conversation)
    known = len(mapping)
    scrubbed, mapping = await ctx.nlp.scrub(text, mapping)
    if len(mapping) > known:
        await run_in_threadpool(ctx.store.save_mapping, mapping)
    ctx.hub.remember(mapping)
    return scrubbed, mapping


async def _store(ctx: Services, conversation: str, author: str, text: str, key: str, who: Counsellor | None = None,
                 decision: tuple[int, str] | None = None) -> tuple[StoredMessage, PseudonymMap]:
    """Scrub and store (fail closed: `ScrubFailed` stores nothing)."""
    scrubbed, mapping = await scrub(ctx, conversation, text)
    stored = await run_in_threadpool(
        lambda: ctx.store.append(conversation, author, scrubbed, key, who.user_id if who else None,
                                 scope=who.scope if who else None, decision=decision))
    return stored, mapping


def _relay(conversation: str, stored: StoredMessage) -> list[Notice]:
    """A stored message to the conversation's widgets and to the consoles of its service now."""
    message = protocol.Message(conversation=conversation, seq=stored.seq, author=stored.author, text=stored.text,
                               service=stored.service, at=stored.created_at)
    return [Notice(message, conversation), Notice(message, conversation, stored.service)]


async def _say(ctx: Services, conversation: str, text: str) -> list[Notice]:
    """A system message (after the change it announces), to the conversation's widgets."""
    stored = await run_in_threadpool(ctx.store.append, conversation, "system", text)
    return [Notice(protocol.Message(seq=stored.seq, author="system", text=text, at=stored.created_at), conversation)]


async def history(ctx: Services, conversation: str, after_seq: int, scope: tuple[str, ...] | None = None) -> list[protocol.Out]:
    """The messages after `after_seq`, real text restored (for the owner or the counsellors)."""
    messages = await run_in_threadpool(ctx.store.messages_since, conversation, after_seq, scope)
    mapping = await run_in_threadpool(ctx.store.mapping, conversation)
    ctx.hub.remember(mapping)
    return [protocol.Message(conversation=conversation, seq=m.seq, author=m.author, text=mapping.restore(m.text),
                             at=m.created_at) for m in messages]


def _minutes(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes > 1 else ''}"
