"""`relais`: the command line. Each command parses its arguments, calls one library function
and prints the result (rich for people, JSON with `--json`)."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Iterator, Optional

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.pii import PseudonymMap, ScrubFailed, Scrubber
from assistant.retrieval import Retriever
from assistant.types import Draft
from ingest.pipeline import IngestSummary, SourceSpec, demo_sources, run_ingest
from knowledge.embeddings import EmbedderUnavailable
from knowledge.errors import KnowledgeError
from knowledge.filters import SearchFilters
from knowledge.index import KnowledgeIndex
from knowledge.types import SERVICES, SOURCES
from knowledge.vocabulary import HOTLINES, ROLES
from relais.components import build_services, open_assistant, open_index, open_store
from relais import french
from relais.settings import Settings, private_dir

french.install()  # click's and typer's own texts (usage, --help, errors, prompts) in French too
GROUP = {"no_args_is_help": True, "subcommand_metavar": "COMMANDE [ARGUMENTS]..."}

app = typer.Typer(
    help="Relais : l'assistant de réponse des conseillers Onisep (index, recherche, brouillons).",
    add_completion=False,
    **GROUP,
)
console = Console(stderr=True)
out = Console(soft_wrap=True)


def _fail(message: str, code: int = 1) -> typer.Exit:
    console.print(f"[bold red]Erreur :[/] {message}")
    return typer.Exit(code)


def _settings() -> Settings:
    """The settings, or a French message naming each bad `RELAIS_*` variable."""
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(f"RELAIS_{'_'.join(map(str, e['loc'])).upper()} : {french.validation_message(e)}"
                             for e in exc.errors())
        raise _fail(f"configuration invalide — {problems}", code=2) from exc
    private_dir(settings.home)  # whichever command makes it (a search makes the index there)
    return settings


def _index(settings: Settings) -> KnowledgeIndex:
    try:
        return open_index(settings)
    except (KnowledgeError, EmbedderUnavailable) as exc:
        raise _fail(str(exc)) from exc


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Journal détaillé.")] = False) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@app.command()
def ingest(
    demo: Annotated[bool, typer.Option("--demo", help="Charge la base de démonstration livrée avec Relais.")] = False,
    oscar: Annotated[
        Optional[list[Path]], typer.Option("--oscar", help="Export Oscar : fichier .jsonl, .md ou dossier (répétable).")
    ] = None,
    ideo_metiers: Annotated[
        Optional[Path], typer.Option("--ideo-metiers", help="Export Idéo fiches métiers (.xml ou .xml.gz).")
    ] = None,
    ideo_formations: Annotated[
        Optional[Path], typer.Option("--ideo-formations", help="Export Idéo fiches formations (.xml ou .xml.gz).")
    ] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Efface l'index et le reconstruit entièrement.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Affiche le bilan en JSON.")] = False,
) -> None:
    """Construit ou met à jour l'index (incrémental : seuls les documents modifiés sont recalculés)."""
    settings = _settings()
    sources = demo_sources() if demo else []
    sources += [SourceSpec("oscar", path) for path in oscar or []]
    if ideo_metiers:
        sources.append(SourceSpec("ideo-metier", ideo_metiers))
    if ideo_formations:
        sources.append(SourceSpec("ideo-formation", ideo_formations))
    if not sources:
        raise _fail("aucune source : indiquez --demo, --oscar, --ideo-metiers ou --ideo-formations.", code=2)
    if rebuild:
        KnowledgeIndex.destroy(settings.home, chroma_url=settings.chroma_url, collection=settings.chroma_collection)
    index = _index(settings)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=as_json and not console.is_terminal,
    ) as bar:
        tasks: dict[str, int] = {}

        def progress(label: str, advance: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total or None)
            bar.update(tasks[label], advance=advance)

        summary = run_ingest(index, sources, progress)
    if as_json:
        out.print_json(json.dumps(summary.to_json(), ensure_ascii=False))
    else:
        _print_summary(summary)
    if summary.errors:
        raise typer.Exit(1)


def _print_summary(summary: IngestSummary) -> None:
    table = Table(title="Bilan de l'ingestion", show_header=False)
    for label, value in (
        ("ajoutés", summary.added),
        ("mis à jour", summary.updated),
        ("inchangés", summary.unchanged),
        ("supprimés", summary.deleted),
        ("ignorés (non publiés)", summary.ignored),
        *([("démo remplacés par l'export réel", summary.shadowed)] if summary.shadowed else []),
        ("rejetés", len(summary.rejected)),
        ("passages indexés", summary.chunks),
        ("documents dans l'index", summary.documents),
        ("version de l'index", summary.index_version),
        ("durée", f"{summary.seconds:.1f} s"),
    ):
        table.add_row(label, str(value))
    out.print(table)
    for rejection in summary.rejected:
        out.print(f"[yellow]rejeté[/] {rejection.source} {rejection.where} : {rejection.reason}")
    for error in summary.errors:
        out.print(f"[red]source illisible[/] {error}")


def _stdin_lines() -> Iterator[str]:
    for line in sys.stdin:
        if line.strip():
            yield line.strip()


@app.command()
def search(
    query: Annotated[Optional[str], typer.Argument(help="La question ; sans argument : une question par ligne sur l'entrée standard.")] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="Nombre de documents.")] = 10,
    service: Annotated[Optional[str], typer.Option("--service", help=f"Filtre service : {', '.join(SERVICES)}.")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help=f"Filtre source : {', '.join(SOURCES)}.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Recherche dans l'index : la question est comprise (besoin, profil, intention), puis les
    documents sont trouvés (sens + mots) et reclassés ; chacun avec son meilleur passage."""
    if service and service not in SERVICES:
        raise _fail(f"service inconnu « {service} » (attendu : {', '.join(SERVICES)}).", code=2)
    if source and source not in SOURCES:
        raise _fail(f"source inconnue « {source} » (attendu : {', '.join(SOURCES)}).", code=2)
    filters = SearchFilters(services=(service,) if service else (), sources=(source,) if source else ())
    retriever = Retriever(_index(_settings()))
    if query is None:  # batch mode: one model load, one JSON line per query
        for line in _stdin_lines():
            found = retriever.retrieve([line], service, k, filters)
            print(json.dumps({"query": line, **found.to_json()}, ensure_ascii=False), flush=True)
        return
    found = retriever.retrieve([query], service, k, filters)
    if as_json:
        out.print_json(json.dumps({"query": query, **found.to_json()}, ensure_ascii=False))
        return
    _print_understood(found.understood.to_json())
    if not found.hits:
        out.print("Aucun résultat. L'index est-il construit ? (`relais ingest --demo`)")
        return
    for rank, hit in enumerate(found.hits, start=1):
        out.print(f"[bold]{rank}. {hit.title}[/]  [dim]{hit.doc_id} · score {hit.score:.4f}[/]")
        if hit.url:
            out.print(f"   {hit.url}")
        passage = hit.best_passage.replace("\n", " ")
        out.print(f"   [dim]{passage[:300]}{'…' if len(passage) > 300 else ''}[/]")


_PROFILE_LABELS = {"level": "niveau", "writer": "qui écrit", "place": "lieu", "age": "âge", "child": "enfant"}


def _print_understood(understood: dict) -> None:
    """How the question was read, in one or two lines for a person."""
    profile = ", ".join(f"{_PROFILE_LABELS.get(k, k)} : {', '.join(v) if isinstance(v, (list, tuple)) else v}"
                        for k, v in understood["profile"].items())
    out.print(f"[dim]compris : {understood['need']} · intention {understood['intent']}"
              f"{' · suite de la conversation' if understood.get('followup') else ''}"
              f"{' · profil (' + profile + ')' if profile else ''}[/]", highlight=False)
    if understood["expansions"]:
        out.print("[dim]" + " ; ".join(f"{e['term']} → {e['expansion']}" for e in understood["expansions"]) + "[/]", highlight=False)


@app.command()
def scrub(
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON : texte pseudonymisé et entités.")] = False,
    lines: Annotated[bool, typer.Option("--lines", help="Un message par ligne, une ligne JSON par message.")] = False,
) -> None:
    """Pseudonymise le texte lu sur l'entrée standard (données personnelles remplacées par des balises)."""
    scrubber = Scrubber()
    messages = list(_stdin_lines()) if lines else [sys.stdin.read()]
    for number, message in enumerate(messages, start=1):
        try:
            result = scrubber.scrub(message, PseudonymMap(f"cli-{number}"))
        except ScrubFailed as exc:
            raise _fail(f"{exc} : rien n'a été transmis.") from exc
        if lines:
            print(json.dumps(result.to_json(), ensure_ascii=False), flush=True)
        elif as_json:
            out.print_json(json.dumps(result.to_json(), ensure_ascii=False))
        else:
            out.print(result.text.rstrip("\n"), markup=False, highlight=False)
            for entity in result.entities:
                out.print(f"[dim]{entity.placeholder} {entity.type} [{entity.start}:{entity.end}][/]")


@app.command()
def ask(
    question: Annotated[Optional[str], typer.Argument(help="La question ; sans argument : une question par ligne sur l'entrée standard.")] = None,
    service: Annotated[Optional[str], typer.Option("--service", help=f"Service de la conversation : {', '.join(SERVICES)}.")] = None,
    conversation: Annotated[bool, typer.Option(
        "--conversation",
        help='Lit une conversation JSON par ligne, {"service": "moel", "turns": ["…", "…"]}, et rédige pour le dernier message.',
    )] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Brouillon de réponse pour un conseiller : texte, sources citées, confiance, abstention,
    alertes charte, et la question telle qu'elle a été comprise."""
    if service and service not in SERVICES:
        raise _fail(f"service inconnu « {service} » (attendu : {', '.join(SERVICES)}).", code=2)
    if conversation and question is not None:
        raise _fail("--conversation lit les conversations sur l'entrée standard : ne donnez pas de question.", code=2)
    settings = _settings()
    assistant = open_assistant(settings, index=_index(settings))
    if conversation:
        for number, line in enumerate(_stdin_lines(), start=1):
            try:
                turns, line_service = _conversation_line(line)
                draft = assistant.ask(turns[-1], service=line_service or service, conversation_id=f"cli-{number}",
                                      history=turns[:-1])
            except ValueError as exc:
                print(json.dumps({"line": number, "error": str(exc)}, ensure_ascii=False), flush=True)
                continue
            except ScrubFailed as exc:
                raise _fail(f"{exc} : la conversation n'a pas été traitée.") from exc
            finally:
                assistant.mappings.forget(f"cli-{number}")  # each line is a conversation of its own, done
            print(json.dumps(draft.to_json(), ensure_ascii=False), flush=True)
        return
    questions = [question] if question is not None else list(_stdin_lines())
    for number, text in enumerate(questions, start=1):
        try:
            draft = assistant.ask(text, service=service, conversation_id=f"cli-{number}")
        except ScrubFailed as exc:
            raise _fail(f"{exc} : la question n'a pas été traitée.") from exc
        finally:
            assistant.mappings.forget(f"cli-{number}")  # the draft is pseudonymised: its mapping is no longer needed
        if question is None:
            print(json.dumps(draft.to_json(), ensure_ascii=False), flush=True)
        elif as_json:
            out.print_json(json.dumps(draft.to_json(), ensure_ascii=False))
        else:
            _print_draft(draft)


def _conversation_line(line: str) -> tuple[list[str], str | None]:
    """(turns, service) of one `--conversation` line, or ValueError with a French reason."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"JSON illisible (colonne {exc.colno})") from exc
    if not isinstance(record, dict):
        raise ValueError('objet JSON attendu : {"service": …, "turns": […]}')
    turns = record.get("turns")
    if not isinstance(turns, list) or not turns or not all(isinstance(t, str) and t.strip() for t in turns):
        raise ValueError("« turns » doit être une liste non vide de messages (textes)")
    service = record.get("service")
    if service is not None and service not in SERVICES:
        raise ValueError(f"service inconnu « {service} » (attendu : {', '.join(SERVICES)})")
    return turns, service


def _print_draft(draft: Draft) -> None:
    state = "abstention" if draft.abstained else "brouillon"
    _print_understood(draft.understood)
    out.print(f"[bold]{state}[/] · confiance {draft.confidence:.2f} · {draft.drafter} ({draft.model}) · index v{draft.index_version}")
    out.print(draft.text, markup=False, highlight=False)
    for citation in draft.citations or draft.sources:
        out.print(f"[dim]source : {citation.doc_id} — {citation.title} {citation.url or ''}[/]")
    for flag in draft.flags:
        out.print(f"[yellow]charte[/] {flag.code} : {flag.message}")


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Adresse d'écoute.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port d'écoute.")] = 8000,
) -> None:
    """Lance l'application web : page de démonstration du tchat (/) et console des conseillers (/console)."""
    import uvicorn

    from web.app import create_app

    from web.logs import configure

    settings = _settings()
    logs = configure(settings.home, settings.log_days, verbose=logging.getLogger().level <= logging.INFO)
    shown = f"[{host}]" if ":" in host else ("localhost" if host in ("127.0.0.1", "0.0.0.0") else host)
    out.print(f"Relais démarre (les modèles se chargent, une trentaine de secondes) :\n"
              f"  tchat du public      http://{shown}:{port}/\n"
              f"  console              http://{shown}:{port}/console (compte nécessaire : relais users add)\n"
              f"  journaux             {logs}/access.log, {logs}/errors.log\n"
              f"Ctrl+C pour arrêter.")
    # proxy headers are read by the app itself, only from RELAIS_TRUSTED_PROXIES (uvicorn's default trusts 127.0.0.1).
    # No permessage-deflate: chat frames are a few hundred bytes, and compressing each one costs CPU at
    # both ends (bench_web: the load client's CPU 27 -> 19 s) plus a zlib context per open socket.
    try:
        uvicorn.run(create_app(lambda: build_services(settings), settings), host=host, port=port, log_config=None,
                    log_level="warning", access_log=False, ws_max_size=65536, ws_per_message_deflate=False,
                    proxy_headers=False)
    except KeyboardInterrupt:  # uvicorn stops cleanly on Ctrl+C, then hands the interrupt back
        pass
    out.print("Relais arrêté.")


users_app = typer.Typer(help="Comptes de la console.", **GROUP)
app.add_typer(users_app, name="users")


def _new_password(login: str) -> str:
    """A password asked twice without echo (never on the command line: it would stay in the
    shell's history and the process list), refused when easy to guess."""
    from web.security import password_problem

    if not sys.stdin.isatty():  # piped in (a script, a test): two lines, without getpass's English warnings
        password, again = sys.stdin.readline().rstrip("\n"), sys.stdin.readline().rstrip("\n")
        if password != again:
            raise _fail("les deux saisies du mot de passe ne sont pas identiques.", code=2)
    else:
        password = typer.prompt("Mot de passe", hide_input=True, confirmation_prompt=True)
    problem = password_problem(login, password)
    if problem:
        raise _fail(problem, code=2)
    return password


@users_app.command("add")
def users_add(
    login: Annotated[str, typer.Argument(help="Identifiant du compte.")],
    role: Annotated[str, typer.Option("--role", help="counsellor, supervisor ou quality.")] = "counsellor",
    service: Annotated[Optional[list[str]], typer.Option("--service", help="File(s) servie(s) (répétable).")] = None,
) -> None:
    """Crée un compte pour la console ; le mot de passe est demandé (haché avec argon2)."""
    known = HOTLINES  # the services with a queue
    unknown = [s for s in service or [] if s not in known]
    if unknown:
        raise _fail(f"file inconnue « {unknown[0]} » (attendu : {', '.join(known)}).", code=2)
    if role not in ROLES:  # before the password is asked
        raise _fail(f"rôle inconnu « {role} » (attendu : {', '.join(ROLES)}).", code=2)
    if role == "counsellor" and not service:  # never every queue by omission
        raise _fail(f"un conseiller sert au moins une file : --service {'|'.join(known)}.", code=2)
    password = _new_password(login)
    try:
        user = open_store(_settings()).add_user(login, password, role, service or [])
    except ValueError as exc:
        raise _fail(str(exc), code=2) from exc
    out.print(f"Compte « {user.login} » créé ({user.role}, files : {', '.join(user.services) or 'aucune'}).")


@users_app.command("list")
def users_list() -> None:
    """Liste les comptes : identifiant, rôle, files, actif ou non."""
    table = Table("identifiant", "rôle", "files", "actif")
    for user in open_store(_settings()).users():
        table.add_row(user.login, user.role, ", ".join(user.services), "oui" if user.active else "non")
    out.print(table)


@users_app.command("reset-password")
def users_reset_password(login: Annotated[str, typer.Argument(help="Identifiant du compte.")]) -> None:
    """Change le mot de passe d'un compte (demandé) et met fin à ses sessions ouvertes."""
    password = _new_password(login)
    try:
        ended = open_store(_settings()).reset_password(login, password)
    except ValueError as exc:
        raise _fail(str(exc), code=2) from exc
    out.print(f"Mot de passe de « {login} » changé ({ended} session(s) fermée(s)).")


@users_app.command("disable")
def users_disable(login: Annotated[str, typer.Argument(help="Identifiant du compte.")]) -> None:
    """Désactive un compte et met fin à toutes ses sessions ouvertes."""
    try:
        ended = open_store(_settings()).disable_user(login)
    except ValueError as exc:
        raise _fail(str(exc), code=2) from exc
    out.print(f"Compte « {login} » désactivé ({ended} session(s) fermée(s)).")


keys_app = typer.Typer(help="Clé secrète : changement de clé sans déconnecter ni perdre de données.", **GROUP)
app.add_typer(keys_app, name="keys")


@keys_app.command("rotate")
def keys_rotate(
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Valeurs rechiffrées par transaction.")] = 500,
    as_json: Annotated[bool, typer.Option("--json", help="Affiche le bilan en JSON.")] = False,
) -> None:
    """Rechiffre sous RELAIS_SECRET_KEY tout ce qu'une ancienne clé (RELAIS_OLD_SECRET_KEYS) avait chiffré."""
    from web.store import ResealCount

    store = open_store(_settings())
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console,
                  disable=as_json) as progress:
        tasks: dict[str, TaskID] = {}

        def advance(count: ResealCount, total: int) -> None:
            if count.kind not in tasks:
                tasks[count.kind] = progress.add_task(count.label, total=total)
            progress.update(tasks[count.kind], completed=count.seen, total=max(total, count.seen))

        counts = store.reseal(batch_size=batch_size, progress=advance)
    unreadable = [c for c in counts if c.unreadable]
    if as_json:
        out.print_json(data={c.kind: {"resealed": c.resealed, "unreadable": c.unreadable, "changed": c.changed}
                             for c in counts})
    else:
        for c in counts:
            out.print(f"{c.label} : {c.resealed} rechiffrée(s)"
                      + (f", {c.changed} modifiée(s) ou supprimée(s) entre-temps" if c.changed else ""))
        out.print(f"{sum(c.resealed for c in counts)} valeur(s) rechiffrée(s) sous la clé actuelle.")
        if not unreadable:
            out.print("Les anciennes clés peuvent maintenant être retirées de RELAIS_OLD_SECRET_KEYS.")
    if unreadable:
        for c in unreadable:
            console.print(f"[bold red]{c.label} : {c.unreadable} illisible(s)[/], laissée(s) telle(s) quelle(s).")
        raise _fail("aucune clé configurée n'ouvre ces valeurs. Si une ancienne clé manque, ajoutez-la à "
                    "RELAIS_OLD_SECRET_KEYS et relancez « relais keys rotate » ; sinon elles resteront illisibles.")


@app.command()
def purge(
    conversation: Annotated[Optional[list[str]], typer.Option(
        "--conversation", help="Efface cette conversation : son identifiant, ou la référence que montre le tchat "
                               "(ses 8 premiers caractères) ; répétable.")] = None,
    email: Annotated[Optional[list[str]], typer.Option(
        "--email", help="Efface les demandes hors ligne laissées avec cette adresse, et leurs courriels ; répétable.")] = None,
) -> None:
    """Applique la durée de conservation (RELAIS_RETENTION_DAYS) ou efface à la demande d'une personne
    ses conversations ou ses demandes hors ligne (sans trace dans les fichiers de la base SQLite)."""
    from web.protocol import EMAIL
    from web.store import AmbiguousReference

    invalid = [address for address in email or [] if not EMAIL.fullmatch(address.strip())]
    if invalid:
        raise _fail(f"adresse électronique invalide « {invalid[0]} » (attendu : prenom.nom@exemple.fr).", code=2)
    store = open_store(_settings())
    if not conversation and not email:
        out.print(f"{store.purge()} élément(s) supprimé(s) (durée de conservation dépassée).")
        return
    unmatched = []
    if conversation:
        try:
            erased = 0
            for reference in conversation:  # one by one: a reference that matches nothing is named
                found = store.erase([reference])
                erased += found
                if not found:
                    unmatched.append(reference)
        except AmbiguousReference as exc:
            raise _fail(str(exc) + ".", code=2) from exc
        out.print(f"{erased} conversation(s) effacée(s).")
    unchecked = 0
    for address in email or []:
        erasure = store.erase_offline(address)
        out.print(f"{erasure.erased} demande(s) hors ligne effacée(s) pour cette adresse, avec leurs courriels.")
        unchecked = max(unchecked, erasure.unreadable)  # the same requests, whichever address
    if unmatched:
        raise _fail("aucune conversation ne correspond à " + ", ".join(f"« {r} »" for r in unmatched) +
                    " (déjà effacée, ou référence mal recopiée : 8 caractères au moins).")
    if unchecked:
        raise _fail(f"{unchecked} demande(s) n'ont pas pu être vérifiées : leur adresse est chiffrée avec une clé absente. "
                    "Ajoutez l'ancienne clé à RELAIS_OLD_SECRET_KEYS et relancez la commande.")

def _day(value: str, option: str) -> "date":
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise _fail(f"date invalide pour {option} « {value} » (attendu : AAAA-MM-JJ).", code=2) from exc


def _minutes(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 60:.1f} min"


@app.command()
def stats(
    start: Annotated[str, typer.Option("--from", help="Premier jour de la période, AAAA-MM-JJ (UTC).")],
    end: Annotated[str, typer.Option("--to", help="Dernier jour de la période, AAAA-MM-JJ (inclus).")],
    service: Annotated[Optional[str], typer.Option("--service", help="Un seul service (défaut : tous).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Toutes les statistiques en JSON.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Toutes les statistiques en CSV (section, clé, mesure, valeur).")] = False,
) -> None:
    """Statistiques d'usage d'une période : contacts par canal, service, jour et semaine ; temps d'attente et de
    traitement ; décisions sur les brouillons ; abstention ; avis ; académies et profils (les chiffres de /stats)."""
    from web.stats import CHANNELS, InvalidPeriod, Period, to_csv, usage

    if as_json and as_csv:
        raise _fail("choisissez --json ou --csv, pas les deux.", code=2)
    if service is not None and service not in HOTLINES:
        raise _fail(f"service inconnu « {service} » (attendu : {', '.join(HOTLINES)}).", code=2)
    try:
        period = Period(_day(start, "--from"), _day(end, "--to"))
    except InvalidPeriod as exc:
        raise _fail(f"période invalide : {exc}.", code=2) from exc
    figures = usage(open_store(_settings()), period, [service] if service else None)
    if as_json:
        out.print_json(json.dumps(figures.to_json(), ensure_ascii=False))
        return
    if as_csv:
        sys.stdout.write(to_csv(figures))
        return
    contacts = Table("Canal", "Contacts", title=f"Contacts du {period.start} au {period.end}")
    for channel, label in CHANNELS.items():
        count = figures.contacts[channel]
        contacts.add_row(label, "non mesuré" if count is None else str(count))
    out.print(contacts)
    per_service = Table("Service", "Tchat", "Hors ligne", "Attente p50", "Attente p90", "Traitement p50", "Traitement p90",
                        title="Par service")
    for row in figures.contacts_by_service:
        waiting, handling = figures.waiting.get(row["service"], {}), figures.handling.get(row["service"], {})
        per_service.add_row(row["service"], str(row["chat"]), str(row["offline"]), _minutes(waiting.get("p50")),
                            _minutes(waiting.get("p90")), _minutes(handling.get("p50")), _minutes(handling.get("p90")))
    out.print(per_service)
    drafts = Table("Service", "Tels quels", "Modifiés", "Rejetés", "Sans décision", title="Brouillons")
    for row in figures.drafts_by_service:
        drafts.add_row(row["service"], str(row["sent"]), str(row["edited"]), str(row["rejected"]), str(row["undecided"]))
    out.print(drafts)
    sources = Table("Source", "Décidés", "Rejetés", title="Sources les plus rejetées")
    for row in figures.drafts_by_source[:10]:
        sources.add_row(row["doc_id"], str(row["decided"]), str(row["rejected"]))
    out.print(sources)
    rate = figures.abstention["rate"]
    out.print(f"Abstention : {'—' if rate is None else f'{100 * rate:.1f} %'} des {figures.abstention['drafts']} brouillons.")
    ratings = figures.ratings
    out.print(f"Avis : {ratings['count']}, note moyenne {ratings['average'] if ratings['average'] is not None else '—'} sur 5.")
    academies = Table("Académie", "Conversations", title="Par académie")
    for row in figures.academies:
        academies.add_row(row["academie"], str(row["count"]))
    out.print(academies)
    audiences = Table("Profil", "Conversations", title="Par profil")
    for row in figures.audiences:
        audiences.add_row(row["label"], str(row["count"]))
    out.print(audiences)
    out.print(f"Téléphone : {figures.phone}")


@app.command()
def triage() -> None:
    """Prépare un brouillon pour chaque demande hors ligne ouverte qui n'en a pas encore (les plus anciennes
    d'abord), comme le fait le serveur en arrière-plan à leur arrivée."""
    from web.triage import triage_waiting

    settings = _settings()
    store = open_store(settings)
    waiting = store.undrafted_offline_count()
    if waiting == 0:
        out.print("Aucune demande hors ligne n'attend de brouillon.")
        return
    index = _index(settings)
    if index.manifest.count() == 0:
        raise _fail(f"l'index de {settings.home} est vide : lancez d'abord « relais ingest » (par exemple « relais ingest --demo »).", code=2)
    assistant = open_assistant(settings, index=index)
    with _progress() as progress:
        task = progress.add_task("Brouillons des demandes hors ligne", total=waiting)
        drafted = triage_waiting(store, lambda question, service: assistant.draft_scrubbed(question, service).to_json(),
                                 lambda done, total: progress.update(task, completed=done, total=total))
    out.print(f"{drafted} demande(s) hors ligne ont maintenant un brouillon.")


eval_app = typer.Typer(help="Évaluations pour l'équipe qualité : lancer, comparer, récolter des cas.", **GROUP)
app.add_typer(eval_app, name="eval")


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=False)


@eval_app.command("run")
def eval_run(
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Dossier du run (défaut : runs/<date-heure>).")] = None,
    suite: Annotated[str, typer.Option(
        "--suite", help="golden (jeu de référence, jamais utilisé pour régler), test (moitiés de test, contrôle CI), "
                        "train (moitiés d'apprentissage) ou dev (les deux).")] = "golden",
    gate: Annotated[bool, typer.Option("--gate", help="Code de sortie 1 si une mesure franchit son seuil.")] = False,
    thresholds: Annotated[Optional[Path], typer.Option("--thresholds", help="Fichier TOML des seuils (défaut : evals/thresholds.toml).")] = None,
    datasets: Annotated[Optional[Path], typer.Option("--datasets", help="Dossier des jeux, mêmes noms de fichiers (défaut : evals/datasets).")] = None,
) -> None:
    """Passe les jeux d'évaluation dans la recherche et la rédaction ; écrit results.json et report.html."""
    from datetime import datetime

    from evals.datasets import DATASETS, DatasetError, load_suite
    from evals.report import render_report, write
    from evals.results import THRESHOLDS, gate as check_gate, load_thresholds, metric
    from evals.run import Evaluation

    try:
        limits = load_thresholds(thresholds or THRESHOLDS, suite)
        data = load_suite(suite, datasets or DATASETS)  # every dataset is checked before the models load
    except DatasetError as exc:
        raise _fail(f"jeu d'évaluation refusé.\n{exc}", code=2) from exc
    except ValueError as exc:
        raise _fail(str(exc), code=2) from exc
    settings = _settings()
    index = _index(settings)
    if index.manifest.count() == 0:
        raise _fail(f"l'index de {settings.home} est vide : lancez d'abord « relais ingest » (par exemple « relais ingest --demo »).", code=2)
    assistant = open_assistant(settings, index=index)
    try:
        with _progress() as progress:
            results = Evaluation(assistant, data, suite=suite, progress=progress).run()
    except ScrubFailed as exc:
        raise _fail(f"{exc} : évaluation interrompue.") from exc
    target = out_dir or Path("runs") / datetime.now().strftime("%Y-%m-%d-%H%M%S")
    target.mkdir(parents=True, exist_ok=True)
    (target / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    write(target / "report.html", render_report(results, limits))
    table = Table("Mesure", "Valeur", title=f"Évaluation « {suite} » en {results['run']['seconds']} s")
    for name, value in results["summary"].items():
        table.add_row(metric(name).label, metric(name).format(value))
    out.print(table)
    out.print(f"Résultats : {target / 'results.json'} · rapport : {target / 'report.html'}")
    failures = check_gate(results["summary"], limits)
    for line in failures.values():
        console.print(f"[bold red]seuil franchi[/] {line}")
    if gate and failures:
        raise typer.Exit(1)


@eval_app.command("compare")
def eval_compare(
    before: Annotated[Path, typer.Argument(help="Run de référence (dossier ou results.json).")],
    after: Annotated[Path, typer.Argument(help="Run à comparer (dossier ou results.json).")],
    html: Annotated[Optional[Path], typer.Option("--out", help="Rapport HTML (défaut : compare.html dans le dossier du second run).")] = None,
) -> None:
    """Ce qui s'améliore et ce qui régresse entre deux runs, par mesure et par question."""
    from evals.report import render_comparison, write
    from evals.results import FIGURES, PARTS, compare, load_results

    try:
        comparison = compare(load_results(before), load_results(after))
    except (ValueError, KeyError) as exc:
        raise _fail(f"comparaison impossible : {exc}", code=2) from exc
    colours = {"amélioré": "green", "régressé": "red"}
    table = Table("Mesure", "A", "B", "Écart", "Verdict", title="Par mesure")
    for m in comparison["metrics"]:
        colour = colours.get(m["verdict"], "dim")
        table.add_row(m["label"], m["before"], m["after"], m["delta_text"],
                      f"[{colour}]{m['verdict']}[/]")
    out.print(table)
    changed = Table("Partie", "Id", "Mesure", "A", "B", "Verdict", title=f"Par question ({len(comparison['questions'])} changements)")
    for q in comparison["questions"]:
        changed.add_row(PARTS[q["part"]], q["id"], FIGURES[q["figure"]], f"{q['before']:.3g}", f"{q['after']:.3g}",
                        f"[{colours[q['verdict']]}]{q['verdict']}[/]")
    out.print(changed)
    target = html or (after if after.is_dir() else after.parent) / "compare.html"
    write(target, render_comparison(comparison))
    out.print(f"Rapport : {target}")


@eval_app.command("harvest")
def eval_harvest(
    since: Annotated[str, typer.Option("--since", help="Date de début, AAAA-MM-JJ (décisions prises depuis).")],
    out_file: Annotated[Path, typer.Option("--out", help="Fichier JSONL des cas candidats.")] = Path("candidates.jsonl"),
) -> None:
    """Transforme les brouillons modifiés ou rejetés par les conseillers en cas de test candidats (pseudonymisés)."""
    from datetime import date

    from evals.harvest import harvest, write_candidates
    try:
        start = date.fromisoformat(since)
    except ValueError as exc:
        raise _fail(f"date invalide « {since} » (attendu : AAAA-MM-JJ).", code=2) from exc
    try:
        cases = harvest(open_store(_settings()), start, Scrubber())
    except ScrubFailed as exc:
        raise _fail(f"{exc} : aucun cas écrit.") from exc
    write_candidates(cases, out_file)
    outcomes = {o: sum(1 for c in cases if c["review"]["outcome"] == o) for o in ("edited", "rejected")}
    out.print(f"{len(cases)} cas candidats écrits dans {out_file} ({outcomes['edited']} brouillons modifiés, "
              f"{outcomes['rejected']} rejetés), à relire avant de les ajouter à golden.jsonl.")


if __name__ == "__main__":
    app()
