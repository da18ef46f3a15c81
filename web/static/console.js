// Relais counsellor console. User text is only ever set with textContent (never as HTML).
import { ConversationList, SERVICES } from "./console-list.js";

const $ = (id) => document.getElementById(id);
const AUTHORS = { user: "Usager", counsellor: "Conseiller·ère", system: "Information" };
const REASONS = {
  hors_sujet: "Ne répond pas à la question", inexact: "Information inexacte ou périmée", incomplet: "Réponse incomplète",
  source: "Mauvaise source", ton: "Ton ou formulation inadaptés", autre: "Autre raison",
};
const TYPING_EVERY = 3000; // ms between two « typing » frames
const state = { conversation: null, draftId: null, draftText: "", call: crypto.randomUUID(), typedAt: 0,
                pendingSend: null, me: null };
let socket;
let list;

function say(text) { $("etat").textContent = text; }

function send(frame) {
  if (!socket || socket.readyState !== WebSocket.OPEN) {
    say("Connexion perdue : rien n'est parti. Réessayez dans un instant, la console se reconnecte.");
    return false;
  }
  socket.send(JSON.stringify(frame));
  return true;
}

function item(text, attrs = {}) {
  const li = document.createElement("li");
  for (const [k, v] of Object.entries(attrs)) li.setAttribute(k, v);
  li.textContent = text;
  return li;
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text != null) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function time(iso) {
  const at = iso ? new Date(iso) : new Date();
  return at.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });
}

// -- the open conversation -----------------------------------------------------------------
function openConversation(id) {
  const c = list.get(id);
  state.conversation = id;
  state.draftId = null;
  list.setOpen(id);
  $("messages").replaceChildren();
  $("draft").hidden = true;
  $("sources").replaceChildren();
  hideReject();
  $("conv-title").textContent = `Conversation ${id.slice(0, 8)}`;
  $("conv-meta").textContent = c ? `${SERVICES[c.service] || c.service} · réf. ${id.slice(0, 8)}` : "";
  showNote(c);
  if (c && c.status === "waiting") send({ type: "take", conversation: id });
  send({ type: "open", conversation: id, last_seq: 0 });
  $("answer-text").focus();
}

function showNote(c) {
  const note = $("conv-note");
  note.hidden = !(c && c.note);
  note.textContent = c && c.note ? `Note de transfert (${SERVICES[c.previous] || c.previous || "autre service"}) : ${c.note}` : "";
}

function leaveConversation(message) {
  state.conversation = null; state.draftId = null;
  list.setOpen(null);
  $("draft").hidden = true; $("sources").replaceChildren(); $("answer-text").value = "";
  hideReject();
  $("conv-title").textContent = "Conversation";
  $("conv-meta").textContent = "Choisissez une conversation dans la liste.";
  $("conv-note").hidden = true;
  $("messages").replaceChildren(item(message));
}

function showMessage(frame) {
  const li = element("li", null, `message message-${frame.author}`);
  li.append(element("span", AUTHORS[frame.author] || frame.author, "auteur"), ` : ${frame.text}`,
            element("time", ` ${time()}`, "heure"));
  $("messages").append(li);
  li.scrollIntoView({ block: "nearest" });
}

// -- drafts: the open conversation's, and the phone pane's ------------------------------------
function draftBox(frame, box, sources, { redraft }) {
  const draft = frame.draft;
  box.hidden = false;
  const confidence = document.createElement("p");
  const words = draft.confidence_words || (draft.abstained ? "pas de réponse validée" : "à vérifier");
  confidence.className = `confiance confiance-${words.startsWith("fiable") ? "fiable" : words.startsWith("à") ? "verifier" : "aucune"}`;
  confidence.textContent = `Confiance : ${words}`;
  confidence.title = `score calibré ${draft.confidence} (probabilité que la première source réponde)`;
  const origin = element("p", `Rédigé par ${draft.drafter} (${draft.model}) · index v${draft.index_version}`
    + (draft.chosen_source ? ` · à partir de la source choisie ${draft.chosen_source}` : ""), "muted");
  const lines = [confidence, origin];
  if (draft.understood && draft.understood.need) {
    lines.push(element("p", `Question comprise${draft.understood.followup ? " (suite de la conversation)" : ""} : ${draft.understood.need}`));
  }
  if (draft.complement) {
    lines.push(element("p", `Complément ajouté pour la situation de l'usager : ${draft.complement.title} (${draft.complement.doc_id})`));
  }
  const text = element("pre", draft.abstained
    ? "Pas de réponse validée dans la base : choisissez une source ou rédigez votre réponse." : frame.text, "draft-text");
  box.replaceChildren(...lines, text);
  const cited = new Set((draft.citations || []).map((c) => c.doc_id));
  sources.replaceChildren(...(draft.sources || []).map((s) => {
    const li = document.createElement("li");
    li.append(element("strong", `${s.title}${cited.has(s.doc_id) ? " (citée)" : ""}`),
              element("span", ` ${s.doc_id}${s.section ? " · " + s.section : ""}`, "muted"));
    const passage = s.passage || "";
    li.append(element("p", passage.slice(0, 280) + (passage.length > 280 ? "…" : "")));
    if (redraft) {
      const button = element("button", "Rédiger à partir de cette source", "fr-btn fr-btn--secondary fr-btn--sm");
      button.type = "button";
      button.addEventListener("click", () => send({ type: "redraft", conversation: state.conversation,
                                                    draft_id: frame.draft_id, source: s.doc_id }));
      li.append(button);
    }
    return li;
  }));
  for (const flag of draft.charter_flags || []) sources.append(item(`Charte : ${flag.message}`, { class: "erreur" }));
  return box;
}

function showDraft(frame) {
  state.draftId = frame.draft_id ?? null;
  state.draftText = frame.draft.abstained ? "" : frame.text;
  draftBox(frame, $("draft"), $("sources"), { redraft: frame.draft_id != null });
  $("answer-text").value = state.draftText;
}

// -- rejecting a draft, with a reason --------------------------------------------------------
function askReason() {
  if (!state.conversation || state.draftId == null) { say("Aucun brouillon à rejeter dans cette conversation."); return; }
  $("reject-panel").hidden = false;
  $("reject-reasons").querySelector("input")?.focus();
}

function hideReject() {
  $("reject-panel").hidden = true;
  $("reject-panel").reset();
}

function buildReasons() {
  $("reject-reasons").replaceChildren(...Object.entries(REASONS).map(([code, label], index) => {
    const wrap = element("div", null, "raison");
    const input = document.createElement("input");
    Object.assign(input, { type: "radio", name: "reason", value: code, id: `reason-${code}`, checked: index === 0 });
    const text = element("label", label);
    text.htmlFor = input.id;
    wrap.append(input, text);
    return wrap;
  }));
}

// -- the phone pane: its own draft and its own history ---------------------------------------------
function showPhoneDraft(frame) {
  draftBox(frame, $("phone-draft"), $("phone-sources"), { redraft: false });
  const copy = element("button", "Copier le brouillon", "fr-btn fr-btn--secondary fr-btn--sm");
  copy.type = "button";
  copy.addEventListener("click", () => copyText(frame.text));
  $("phone-draft").append(copy);
  const history = $("phone-history");
  if (history.querySelector(".muted")) history.replaceChildren();
  const entry = document.createElement("li");
  const details = document.createElement("details");
  details.append(element("summary", `${time()} · ${state.lastPhoneQuestion || "question"}`), element("pre", frame.text, "draft-text"));
  entry.append(details);
  history.prepend(entry);
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    say("Brouillon copié : vous pouvez le coller où vous voulez.");
  } catch {
    say("La copie automatique n'est pas permise ici : sélectionnez le texte du brouillon et copiez-le (Ctrl + C).");
  }
}

// -- the offline inbox -------------------------------------------------------------------------
function renderInbox(requests) {
  $("inbox-count").textContent = requests.length ? `${requests.length} demande(s), la plus ancienne en premier.`
    : "Aucune demande hors ligne en attente.";
  $("inbox").replaceChildren(...requests.map((r) => {
    const li = element("li", null, "demande");
    const received = new Date(r.created_at);
    li.append(element("p", `${SERVICES[r.service] || r.service} · reçue le ${received.toLocaleDateString("fr-FR")} à `
      + `${time(r.created_at)} · ${r.address}`, "demande-entete"));
    li.append(element("blockquote", r.question, "demande-question"));
    if (r.reason) li.append(element("p", r.reason, "erreur"));  // a mail that failed, or waits for a mail server
    const answer = document.createElement("textarea");
    answer.className = "fr-input";
    answer.id = `offline-${r.id}`;
    answer.rows = 5;
    const label = element("label", "Réponse par courriel", "fr-label");
    label.htmlFor = answer.id;
    if (r.answer) answer.value = r.answer;
    if (r.draft) {
      const box = element("div", null, "draft");
      const words = r.draft.confidence_words || "à vérifier";
      box.append(element("p", `Brouillon préparé · confiance : ${words}`, "confiance"), element("pre", r.draft.draft || "", "draft-text"));
      const sources = element("ul", null, "sources");
      for (const s of r.draft.sources || []) {
        const source = element("li", `${s.title} `);
        source.append(element("span", s.doc_id, "muted"));
        sources.append(source);
      }
      const reuse = element("button", "Reprendre le brouillon", "fr-btn fr-btn--secondary fr-btn--sm");
      reuse.type = "button";
      reuse.addEventListener("click", () => { answer.value = r.draft.draft || ""; answer.focus(); });
      box.append(sources, reuse);
      li.append(box);
      if (!answer.value && !r.draft.abstained) answer.value = r.draft.draft || "";
    }
    const button = element("button", "Répondre par courriel", "fr-btn fr-btn--sm");
    button.type = "button";
    button.addEventListener("click", () => {
      if (!answer.value.trim()) { say("Écrivez une réponse avant de l'envoyer par courriel."); answer.focus(); return; }
      send({ type: "answer_offline", id: r.id, text: answer.value });
    });
    li.append(label, answer, button);
    return li;
  }));
}

// -- the socket ------------------------------------------------------------------------------------
function onFrame(f) {
  if (f.type === "queues") list.replaceAll(f.conversations);
  else if (f.type === "message" && f.conversation) {
    list.message(f);
    if (f.conversation === state.conversation) showMessage(f);
  }
  else if (f.type === "draft" && f.conversation === state.conversation) showDraft(f);
  else if (f.type === "phone_draft") { if (!f.call || f.call === state.call) showPhoneDraft(f); }  // not a past call's
  else if (f.type === "ack" && f.outcome === "call_ended") {
    say("Appel terminé : les données de l'appelant sont effacées. Vous pouvez prendre un nouvel appel.");
  }
  else if (f.type === "ack" && f.outcome === "rejected") {
    if (f.draft_id === state.draftId) {
      state.draftId = null;
      $("draft").hidden = true; $("sources").replaceChildren();
      if ($("answer-text").value === state.draftText) $("answer-text").value = "";
    }
    hideReject();
    say("Brouillon rejeté : votre raison est enregistrée. Rédigez votre réponse.");
    $("answer-text").focus();
  }
  else if (f.type === "ack" && f.key && state.pendingSend && f.key === state.pendingSend.key) {
    state.pendingSend = null;
    say("Réponse envoyée.");
  }
  else if ((f.type === "draft_unavailable" || f.type === "draft_skipped") && f.conversation === state.conversation) {
    say(f.message || "Pas de brouillon pour ce message (trop de demandes en cours) : répondez sans brouillon.");
  }
  else if (f.type === "taken") {
    list.apply(() => { const c = list.get(f.conversation); if (c) list.upsert({ ...c, status: "active", counsellor: f.name || c.counsellor }); });
  }
  else if (f.type === "transferred") transferred(f);
  else if (f.type === "closed" || f.type === "erased") {
    list.apply(() => list.remove(f.conversation));
    if (f.conversation === state.conversation) {
      leaveConversation(f.type === "closed" ? "Conversation close." : "Conversation effacée à la demande de la personne.");
    }
  }
  else if (f.type === "search_results") showResults(f);
  else if (f.type === "inbox") renderInbox(f.requests);
  else if (f.type === "offline") say("Nouvelle demande hors ligne.");
  else if (f.type === "ack" && f.offline_id) {
    $("inbox-notice").textContent = "Réponse enregistrée : le courriel part en arrière-plan.";
    say("Réponse enregistrée : le courriel part en arrière-plan.");
    send({ type: "inbox" });
  }
  else if (f.type === "offline_sent") {
    $("inbox-notice").textContent = "Réponse envoyée par courriel.";
    say("Réponse envoyée par courriel.");
  }
  else if (f.type === "offline_failed") { say(f.message); send({ type: "inbox" }); }
  else if (f.type === "error") {
    say(f.message);
    if (state.pendingSend && !$("answer-text").value) $("answer-text").value = state.pendingSend.text;  // nothing lost
    state.pendingSend = null;
  }
}

function transferred(f) {
  const mine = list.serves(f.service);
  list.apply(() => {
    const c = list.get(f.conversation);
    if (!mine) list.remove(f.conversation);  // it left my queues: no stale row, no stale count
    else if (c) list.upsert({ ...c, service: f.service, status: "waiting", counsellor: null, previous: f.previous, note: f.note });
  });
  if (mine && !list.get(f.conversation)) send({ type: "queues" });  // new here: its row comes with the queues
  if (f.conversation === state.conversation) {
    if (mine) showNote(list.get(f.conversation));
    else leaveConversation(`Conversation transférée vers ${SERVICES[f.service] || f.service}.`);
  }
  if (mine && f.previous !== f.service && f.note && f.conversation !== state.conversation) {
    say(`Conversation transférée depuis ${SERVICES[f.previous] || f.previous}, avec une note.`);
  }
}

function showResults(f) {
  const understood = f.understood && f.understood.need
    ? [item(`Recherche comprise${f.understood.followup ? " avec la conversation" : ""} : ${f.understood.need}`)] : [];
  $("results").replaceChildren(...understood, ...f.results.map((r) => {
    const li = document.createElement("li");
    li.append(element("strong", r.title), element("span", ` ${r.doc_id}`, "muted"));
    li.append(element("p", (r.answer || r.passage).slice(0, 240) + ((r.answer || r.passage).length > 240 ? "…" : "")));
    const insert = element("button", "Insérer dans la réponse", "fr-btn fr-btn--secondary fr-btn--sm");
    insert.type = "button";
    insert.addEventListener("click", () => {
      const answer = $("answer-text");
      const snippet = r.answer || r.passage;  // the answer only, as plain text, with its link at the end
      answer.value = `${answer.value}${answer.value ? "\n\n" : ""}${snippet}`;
      answer.focus();
    });
    li.append(insert);
    return li;
  }));
}

function connect() {
  socket = new WebSocket(location.origin.replace(/^http/, "ws") + "/console/ws");
  socket.addEventListener("open", () => { if ($("etat").textContent.startsWith("Connexion perdue")) say("Connexion rétablie."); });
  socket.addEventListener("message", (event) => onFrame(JSON.parse(event.data)));
  socket.addEventListener("close", (event) => {
    if (event.code === 4401) { location.assign("/login"); return; }  // the session ended: logout, timeout, account disabled
    say("Connexion perdue, reconnexion…");
    setTimeout(connect, 1500);
  });
}

// -- actions -----------------------------------------------------------------------------------
function sendAnswer() {
  const text = $("answer-text").value;
  if (!state.conversation) { say("Ouvrez d'abord une conversation dans la liste : la réponse n'est pas partie."); return; }
  if (!text.trim()) { say("Écrivez une réponse avant d'envoyer."); $("answer-text").focus(); return; }
  const key = crypto.randomUUID();
  if (!send({ type: "send", conversation: state.conversation, text, key, draft_id: state.draftId })) return;
  state.pendingSend = { key, text };
  $("answer-text").value = ""; state.draftId = null; $("draft").hidden = true; $("sources").replaceChildren();
}

function typing() {
  const now = Date.now();
  if (!state.conversation || now - state.typedAt < TYPING_EVERY) return;
  state.typedAt = now;
  send({ type: "typing", conversation: state.conversation });
}

function selectTab(tab) {
  for (const other of document.querySelectorAll("[role=tab]")) {
    const selected = other === tab;
    other.setAttribute("aria-selected", String(selected));
    other.tabIndex = selected ? 0 : -1;
    $(other.getAttribute("aria-controls")).hidden = !selected;
  }
  if (tab.id === "tab-inbox") send({ type: "inbox" });
}

function toggleHelp(show = $("help").hidden) {
  $("help").hidden = !show;
  $("help-toggle").setAttribute("aria-expanded", String(show));
  if (show) $("help").scrollIntoView({ block: "nearest" });
}

function shortcut(e) {
  const key = e.key.toLowerCase();
  const letter = (wanted) => key === wanted || e.code === `Key${wanted.toUpperCase()}`;
  if (e.key === "Escape") {
    if (!$("reject-panel").hidden) { hideReject(); $("answer-text").focus(); }
    else if (!$("help").hidden) { toggleHelp(false); $("help-toggle").focus(); }
    return;
  }
  if ((e.ctrlKey || e.metaKey) && e.key === "Enter" && e.target === $("answer-text")) { e.preventDefault(); sendAnswer(); return; }
  if (!e.altKey || e.ctrlKey || e.metaKey) return;
  if (letter("n") || letter("p")) {
    e.preventDefault();
    const next = list.neighbour(letter("n") ? 1 : -1);
    if (next) { openConversation(next); list.focus(next); $("answer-text").focus(); }
    else say("Aucune conversation dans la liste.");
  } else if (letter("r")) { e.preventDefault(); askReason(); }
  else if (letter("s")) { e.preventDefault(); selectTab($("tab-search")); $("search-q").focus(); }
  else if (letter("h")) { e.preventDefault(); toggleHelp(); }
}

async function start() {
  const response = await fetch("/session");
  if (response.status === 401) { location.assign("/login"); return; }
  const session = await response.json();
  state.me = session.login;
  $("who-name").textContent = session.login;
  $("who-role").textContent = { counsellor: "(conseiller·ère)", supervisor: "(superviseur·e)" }[session.role] || "";
  $("logout-csrf").value = session.csrf;
  list = new ConversationList($("queues"), $("counts"), {
    onOpen: openConversation, me: session.login, waitMinutes: session.wait_minutes, services: session.services,
  });
  setInterval(() => list.tick(), 10000);  // waiting times move with the clock
  buildReasons();
  connect();
}

$("answer").addEventListener("submit", (e) => { e.preventDefault(); sendAnswer(); });
$("answer-text").addEventListener("input", typing);
$("reject").addEventListener("click", askReason);
$("reject-cancel").addEventListener("click", () => { hideReject(); $("answer-text").focus(); });
$("reject-panel").addEventListener("submit", (e) => {
  e.preventDefault();
  const reason = $("reject-panel").querySelector("input[name=reason]:checked")?.value || "autre";
  const comment = $("reject-comment").value.trim();
  if (reason === "autre" && !comment) { say("Précisez en quelques mots pourquoi vous rejetez ce brouillon."); $("reject-comment").focus(); return; }
  send({ type: "reject", conversation: state.conversation, draft_id: state.draftId, reason, ...(comment ? { comment } : {}) });
});
$("transfer-form").addEventListener("submit", (e) => {
  e.preventDefault();
  if (!state.conversation) { say("Ouvrez d'abord une conversation à transférer."); return; }
  const note = $("transfer-note").value.trim();
  if (send({ type: "transfer", conversation: state.conversation, service: $("transfer-to").value, ...(note ? { note } : {}) })) {
    $("transfer-note").value = "";
    say(`Conversation transférée vers ${SERVICES[$("transfer-to").value]}.`);
  }
});
$("close").addEventListener("click", () => {
  if (!state.conversation) { say("Aucune conversation ouverte à clore."); return; }
  send({ type: "close", conversation: state.conversation });
});
$("search").addEventListener("submit", (e) => {
  e.preventDefault();
  const search = { type: "search", query: $("search-q").value };
  if (state.conversation) search.conversation = state.conversation;  // read with the open conversation's turns
  send(search);
});
// Phone mode: the questions of one call share its placeholders (a name said once is recognised
// after); « Nouvel appel » ends the call, so the server forgets the caller's details at once.
$("phone").addEventListener("submit", (e) => {
  e.preventDefault();
  state.lastPhoneQuestion = $("phone-q").value.replace(/\s+/g, " ").trim().slice(0, 80);
  send({ type: "phone", question: $("phone-q").value, call: state.call });
});
$("phone-new").addEventListener("click", () => {
  send({ type: "phone", call: state.call, end: true });
  state.call = crypto.randomUUID();
  $("phone-q").value = "";
  $("phone-draft").hidden = true; $("phone-sources").replaceChildren();
  $("phone-history").replaceChildren(item("Aucune question pour cet appel.", { class: "muted" }));
  $("phone-q").focus();
});
$("inbox-load").addEventListener("click", () => send({ type: "inbox" }));
$("help-toggle").addEventListener("click", () => toggleHelp());
for (const tab of document.querySelectorAll("[role=tab]")) {
  tab.addEventListener("click", () => selectTab(tab));
  tab.addEventListener("keydown", (e) => {  // arrows move between tabs (the ARIA tabs pattern)
    if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
    const tabs = [...document.querySelectorAll("[role=tab]")];
    const next = tabs[(tabs.indexOf(tab) + (e.key === "ArrowRight" ? 1 : -1) + tabs.length) % tabs.length];
    selectTab(next); next.focus();
  });
}
document.addEventListener("keydown", shortcut);
start();
