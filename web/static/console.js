// Relais counsellor console. User text is only ever set with textContent (never as HTML).
const $ = (id) => document.getElementById(id);
const AUTHORS = { user: "Usager", counsellor: "Conseiller·ère", system: "Information" };
const SERVICES = { moel: "Mon orientation en ligne", parcoursup: "Parcoursup", monmaster: "Mon Master" };
const state = { conversation: null, draftId: null, lastSeq: {}, conversations: new Map(), call: crypto.randomUUID() };
let socket;

function item(text, attrs = {}) {
  const li = document.createElement("li");
  for (const [k, v] of Object.entries(attrs)) li.setAttribute(k, v);
  li.textContent = text;
  return li;
}

function renderQueues() {
  const list = $("queues");
  list.replaceChildren();
  const counts = {};
  for (const c of state.conversations.values()) {
    counts[c.service] ??= { waiting: 0, active: 0 };
    counts[c.service][c.status === "waiting" ? "waiting" : "active"] += 1;
  }
  $("counts").textContent = Object.entries(counts)
    .map(([service, n]) => `${SERVICES[service] || service} : ${n.waiting} en attente, ${n.active} en cours`).join(" · ") || "Aucune conversation ouverte.";
  for (const c of state.conversations.values()) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = `${SERVICES[c.service] || c.service} · ${c.status === "waiting" ? "en attente" : "en cours"} · ${c.conversation}`;
    button.addEventListener("click", () => openConversation(c.conversation, c.status === "waiting"));
    li.append(button);
    list.append(li);
  }
}

function openConversation(id, take) {
  state.conversation = id;
  $("messages").replaceChildren();
  $("draft").hidden = true;
  if (take) socket.send(JSON.stringify({ type: "take", conversation: id }));
  socket.send(JSON.stringify({ type: "open", conversation: id, last_seq: 0 }));
  $("answer-text").focus();
}

function showDraft(frame) {
  const draft = frame.draft;
  state.draftId = frame.draft_id ?? null;
  const box = $("draft");
  box.hidden = false;
  const confidence = document.createElement("p");
  const words = draft.confidence_words || (draft.abstained ? "pas de réponse validée" : "à vérifier");
  confidence.className = `confiance confiance-${words.startsWith("fiable") ? "fiable" : words.startsWith("à") ? "verifier" : "aucune"}`;
  confidence.textContent = `Confiance : ${words}`;
  confidence.title = `score calibré ${draft.confidence} (probabilité que la première source réponde)`;
  const origin = document.createElement("p");
  origin.className = "muted";
  origin.textContent = `Rédigé par ${draft.drafter} (${draft.model}) · index v${draft.index_version}`
    + (draft.chosen_source ? ` · à partir de la source choisie ${draft.chosen_source}` : "");
  const lines = [confidence, origin];
  if (draft.understood && draft.understood.need) {
    const need = document.createElement("p");
    need.textContent = `Question comprise${draft.understood.followup ? " (suite de la conversation)" : ""} : ${draft.understood.need}`;
    lines.push(need);
  }
  if (draft.complement) {
    const note = document.createElement("p");
    note.textContent = `Complément ajouté pour la situation de l'usager : ${draft.complement.title} (${draft.complement.doc_id})`;
    lines.push(note);
  }
  const text = document.createElement("pre");
  text.className = "draft-text";
  text.textContent = draft.abstained ? "Pas de réponse validée dans la base : choisissez une source ou rédigez votre réponse." : frame.text;
  box.replaceChildren(...lines, text);
  $("answer-text").value = draft.abstained ? "" : frame.text;
  const cited = new Set(draft.citations.map((c) => c.doc_id));
  $("sources").replaceChildren(...draft.sources.map((s) => {
    const li = document.createElement("li");
    const title = document.createElement("strong");
    title.textContent = `${s.title}${cited.has(s.doc_id) ? " (citée)" : ""}`;
    const meta = document.createElement("span");
    meta.className = "muted";
    meta.textContent = ` ${s.doc_id}${s.section ? " · " + s.section : ""}`;
    const passage = document.createElement("p");
    passage.textContent = (s.passage || "").slice(0, 280) + ((s.passage || "").length > 280 ? "…" : "");
    li.append(title, meta, passage);
    if (frame.draft_id != null && state.conversation) {
      const redraft = document.createElement("button");
      redraft.type = "button";
      redraft.className = "fr-btn fr-btn--secondary fr-btn--sm";
      redraft.textContent = "Rédiger à partir de cette source";
      redraft.addEventListener("click", () => socket.send(JSON.stringify(
        { type: "redraft", conversation: state.conversation, draft_id: frame.draft_id, source: s.doc_id })));
      li.append(redraft);
    }
    return li;
  }));
  for (const flag of draft.charter_flags) $("sources").append(item(`Charte : ${flag.message}`, { class: "erreur" }));
}

function renderInbox(requests) {
  $("inbox").replaceChildren(...requests.map((r) => {
    const li = item(`${SERVICES[r.service] || r.service} · ${r.question}`);
    if (r.reason) li.append(item(r.reason));  // a mail that failed, or waits for a mail server
    const answer = document.createElement("textarea");
    answer.setAttribute("aria-label", "Réponse par courriel");
    if (r.answer) answer.value = r.answer;
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Répondre par courriel";
    button.addEventListener("click", () => answer.value.trim() &&
      socket.send(JSON.stringify({ type: "answer_offline", id: r.id, text: answer.value })));
    li.append(answer, button);
    return li;
  }));
}

function connect() {
  socket = new WebSocket(location.origin.replace(/^http/, "ws") + "/console/ws");
  socket.addEventListener("message", (event) => {
    const f = JSON.parse(event.data);
    if (f.type === "queues") { for (const c of f.conversations) state.conversations.set(c.conversation, c); renderQueues(); }
    else if (f.type === "message" && f.conversation) {
      if (!state.conversations.has(f.conversation)) {
        state.conversations.set(f.conversation, { conversation: f.conversation, service: f.service || "", status: "waiting" });
        renderQueues();
      }
      if (f.conversation === state.conversation) $("messages").append(item(`${AUTHORS[f.author] || f.author} : ${f.text}`));
    }
    else if (f.type === "draft" && f.conversation === state.conversation) showDraft(f);
    else if (f.type === "phone_draft") { if (!f.call || f.call === state.call) showDraft(f); }  // not a past call's
    else if (f.type === "ack" && f.outcome === "call_ended") {
      $("etat").textContent = "Appel terminé : les données de l'appelant sont effacées. Vous pouvez prendre un nouvel appel.";
    }
    else if ((f.type === "draft_unavailable" || f.type === "draft_skipped") && f.conversation === state.conversation) {
      $("etat").textContent = f.message || "Pas de brouillon pour ce message (trop de demandes en cours) : répondez sans brouillon.";
    }
    else if (f.type === "taken" || f.type === "closed" || f.type === "transferred") {
      const c = state.conversations.get(f.conversation);
      if (c && f.type === "closed") state.conversations.delete(f.conversation);
      else if (c) c.status = f.type === "taken" ? "active" : "waiting";
      renderQueues();
    }
    else if (f.type === "erased") {  // at the request of the person who wrote it: it leaves the queue and the pane
      state.conversations.delete(f.conversation);
      renderQueues();
      if (f.conversation === state.conversation) {
        state.conversation = null; state.draftId = null;
        $("draft").hidden = true; $("sources").replaceChildren(); $("answer-text").value = "";
        $("messages").replaceChildren(item("Conversation effacée à la demande de la personne."));
      }
    }
    else if (f.type === "search_results") $("results").replaceChildren(...(f.understood && f.understood.need
      ? [item(`Recherche comprise${f.understood.followup ? " avec la conversation" : ""} : ${f.understood.need}`)] : []),
      ...f.results.map((r) => {
      const li = item(`${r.title} (${r.doc_id}) : ${r.passage.slice(0, 200)}`);
      const insert = document.createElement("button");
      insert.type = "button";
      insert.className = "fr-btn fr-btn--secondary fr-btn--sm";
      insert.textContent = "Insérer dans la réponse";
      insert.addEventListener("click", () => {
        const answer = $("answer-text");
        answer.value = `${answer.value}${answer.value ? "\n\n" : ""}${r.passage}${r.url ? `\n${r.url}` : ""}`;
        answer.focus();
      });
      li.append(" ", insert);
      return li;
    }));
    else if (f.type === "inbox") renderInbox(f.requests);
    else if (f.type === "offline") $("etat").textContent = "Nouvelle demande hors ligne.";
    else if (f.type === "ack" && f.offline_id) {
      $("etat").textContent = "Réponse enregistrée : le courriel part en arrière-plan.";
      socket.send(JSON.stringify({ type: "inbox" }));
    }
    else if (f.type === "offline_sent") $("etat").textContent = "Réponse envoyée par courriel.";
    else if (f.type === "offline_failed") { $("etat").textContent = f.message; socket.send(JSON.stringify({ type: "inbox" })); }
    else if (f.type === "error") $("etat").textContent = f.message;
  });
  socket.addEventListener("close", (event) => {
    if (event.code === 4401) { location.assign("/login"); return; }  // the session ended: logout, timeout, account disabled
    $("etat").textContent = "Connexion perdue, reconnexion…";
    setTimeout(connect, 1500);
  });
}

$("answer").addEventListener("submit", (e) => {
  e.preventDefault();
  if (!state.conversation) return;
  socket.send(JSON.stringify({ type: "send", conversation: state.conversation, text: $("answer-text").value,
                               key: crypto.randomUUID(), draft_id: state.draftId }));
  $("answer-text").value = ""; state.draftId = null; $("draft").hidden = true;
});
$("reject").addEventListener("click", () => {
  if (state.draftId == null) return;
  socket.send(JSON.stringify({ type: "reject", conversation: state.conversation, draft_id: state.draftId }));
  state.draftId = null; $("answer-text").value = ""; $("answer-text").focus();
});
$("transfer").addEventListener("click", () => state.conversation &&
  socket.send(JSON.stringify({ type: "transfer", conversation: state.conversation, service: $("transfer-to").value })));
$("close").addEventListener("click", () => state.conversation &&
  socket.send(JSON.stringify({ type: "close", conversation: state.conversation })));
$("search").addEventListener("submit", (e) => { e.preventDefault();
  const search = { type: "search", query: $("search-q").value };
  if (state.conversation) search.conversation = state.conversation;  // read with the open conversation's turns
  socket.send(JSON.stringify(search)); });
// Phone mode: the questions of one call share its placeholders (a name said once is recognised
// after); « Nouvel appel » ends the call, so the server forgets the caller's details at once.
$("phone").addEventListener("submit", (e) => { e.preventDefault(); state.conversation = null;
  socket.send(JSON.stringify({ type: "phone", question: $("phone-q").value, call: state.call })); });
const newCall = document.createElement("button");
newCall.type = "button";
newCall.id = "phone-new";
newCall.className = "fr-btn fr-btn--secondary";
newCall.textContent = "Nouvel appel";
newCall.title = "Termine l'appel en cours : ses données sont effacées";
newCall.addEventListener("click", () => {
  socket.send(JSON.stringify({ type: "phone", call: state.call, end: true }));
  state.call = crypto.randomUUID();
  $("phone-q").value = "";
  if (!state.conversation) {  // the draft shown is the ended call's
    $("draft").hidden = true; $("sources").replaceChildren(); $("answer-text").value = ""; state.draftId = null;
  }
  $("phone-q").focus();
});
$("phone").append(" ", newCall);
$("inbox-load").addEventListener("click", () => socket.send(JSON.stringify({ type: "inbox" })));
connect();
