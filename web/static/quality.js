// The /quality page: closed conversations (pseudonymised), filtered; each one's drafts and decisions.
"use strict";

const SERVICES = { parcoursup: "Parcoursup", monmaster: "Mon Master", moel: "Mon orientation en ligne" };
const OUTCOMES = { sent: "envoyé tel quel", edited: "modifié", rejected: "rejeté", undecided: "sans décision" };
const AUTHORS = { user: "Personne", counsellor: "Conseiller ou conseillère", system: "Message automatique" };
const form = document.getElementById("filtres");
const state = document.getElementById("etat");
let page = 1, total = 0, pageSize = 50;

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const when = (iso) => (iso ? new Date(iso).toLocaleString("fr-FR", { dateStyle: "short", timeStyle: "short" }) : "—");
const confidence = (x) => (x === null || x === undefined ? "—" : Number(x).toLocaleString("fr-FR", { maximumFractionDigits: 2 }));

function filters() {
  return new URLSearchParams([...new FormData(form).entries()].filter(([, v]) => v));
}

async function getJson(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail || "La demande n'a pas abouti.");
  return body;
}

async function loadList() {
  const query = filters();
  document.getElementById("export-csv").href = "/quality/export.csv?" + query;
  document.getElementById("export-jsonl").href = "/quality/export.jsonl?" + query;
  query.set("page", page);
  state.textContent = "Chargement…";
  let body;
  try {
    body = await getJson("/quality/conversations?" + query);
  } catch (error) {
    state.textContent = error.message;
    return;
  }
  total = body.total; pageSize = body.page_size;
  const rows = body.conversations.map((c) => {
    const open = el("button", { type: "button", class: "fr-btn fr-btn--tertiary fr-btn--sm", "data-id": c.conversation },
      c.conversation.slice(0, 8));
    open.setAttribute("aria-label", `Voir la conversation ${c.conversation.slice(0, 8)}`);
    open.addEventListener("click", () => loadDetail(c.conversation));
    const drafts = Object.entries(c.drafts).map(([k, n]) => `${n} ${OUTCOMES[k] || k}`).join(", ") || "aucun";
    return el("tr", {}, el("th", { scope: "row" }, open), el("td", {}, SERVICES[c.service] || c.service),
      el("td", {}, when(c.closed_at)), el("td", { class: "nombre" }, c.messages), el("td", {}, drafts),
      el("td", { class: "nombre" }, confidence(c.lowest_confidence)), el("td", { class: "nombre" }, c.flagged_drafts),
      el("td", { class: "nombre" }, c.rating === null ? "—" : `${c.rating}/5`));
  });
  document.getElementById("liste").replaceChildren(...rows);
  const pages = Math.max(1, Math.ceil(total / pageSize));
  document.getElementById("page").textContent = `Page ${page} sur ${pages}`;
  document.getElementById("precedente").disabled = page <= 1;
  document.getElementById("suivante").disabled = page >= pages;
  state.textContent = body.more ? `Plus de ${total.toLocaleString("fr-FR")} conversations terminées dans la sélection : affinez les filtres.`
    : `${total.toLocaleString("fr-FR")} conversation(s) terminée(s) dans la sélection.`;
}

function diffView(runs) {
  const node = el("p", { class: "diff texte" });
  for (const run of runs) {
    if (run.op === "equal") node.append(document.createTextNode(run.text));
    else if (run.op === "delete") node.append(el("del", {}, run.text));
    else node.append(el("ins", {}, run.text));
  }
  return node;
}

function safeLink(url, text) {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === "https:" || parsed.protocol === "http:") return el("a", { href: parsed.href, class: "fr-link", rel: "noopener" }, text);
  } catch (error) { /* not a URL: plain text */ }
  return document.createTextNode(text);
}

function draftCard(draft, index) {
  const sources = el("ul", {}, ...draft.citations.map((c) =>
    el("li", {}, c.url ? safeLink(c.url, c.title || c.doc_id) : c.title || c.doc_id, ` (${c.doc_id})`)));
  const flags = draft.charter_flags.length
    ? el("ul", {}, ...draft.charter_flags.map((f) => el("li", {}, `${f.code} : ${f.message}`))) : el("p", {}, "Aucun signalement.");
  const decision = draft.outcome
    ? `${OUTCOMES[draft.outcome]}${draft.counsellor ? " par " + draft.counsellor : ""}, le ${when(draft.decided_at)}` : OUTCOMES.undecided;
  const card = el("article", { class: "fr-card fr-card--no-arrow fr-mb-3w" }, el("div", { class: "fr-card__body" },
    el("div", { class: "fr-card__content" },
      el("h4", {}, `Brouillon ${index + 1} (réponse au message n° ${draft.seq})`),
      el("p", {}, `Confiance : ${confidence(draft.confidence)}${draft.confidence_words ? " (" + draft.confidence_words + ")" : ""}`,
        draft.abstained ? " — l'assistant s'est abstenu" : "", ` · rédacteur ${draft.drafter || "—"}`,
        draft.model ? ` (${draft.model})` : "", ` · index v${draft.index_version ?? "—"}`),
      el("h5", {}, "Texte du brouillon"), el("p", { class: "texte" }, draft.draft || "—"),
      el("h5", {}, "Sources citées"), draft.citations.length ? sources : el("p", {}, "Aucune."),
      el("h5", {}, "Charte"), flags,
      el("h5", {}, "Décision"), el("p", {}, decision),
      draft.reject_reason ? el("p", {}, `Raison du rejet : ${draft.reject_reason}`) : null,
      draft.final_text !== null ? el("h5", {}, draft.replaced_by_counsellor ? "Réponse envoyée à la place" : "Texte envoyé") : null,
      draft.final_text !== null ? el("p", { class: "texte" }, draft.final_text) : null,
      draft.diff.length ? el("h5", {}, "Différences, mot à mot (supprimé / ajouté)") : null,
      draft.diff.length ? diffView(draft.diff) : null)));
  return card;
}

async function loadDetail(id) {
  let c;
  try {
    c = await getJson("/quality/conversations/" + encodeURIComponent(id));
  } catch (error) {
    state.textContent = error.message;
    return;
  }
  const exchange = el("ol", { class: "exchange" }, ...c.messages.map((m) =>
    el("li", { class: "auteur-" + m.author }, el("strong", {}, `${AUTHORS[m.author] || m.author} (${when(m.at)}) : `),
      el("span", { class: "texte" }, m.text))));
  const rating = c.rating ? `Avis : ${c.rating.score}/5${c.rating.comment ? " — « " + c.rating.comment + " »" : ""}` : "Pas d'avis.";
  document.getElementById("detail-vide").hidden = true;
  document.getElementById("detail-contenu").replaceChildren(
    el("p", {}, `Conversation ${c.conversation.slice(0, 8)} · ${SERVICES[c.service] || c.service} · ouverte le ${when(c.created_at)}, terminée le ${when(c.closed_at)}`),
    el("p", {}, rating),
    el("h3", {}, "Échange"), exchange,
    el("h3", {}, `Brouillons (${c.drafts.length})`), ...c.drafts.map(draftCard));
  const detail = document.getElementById("detail");
  detail.focus();
}

form.addEventListener("submit", (event) => { event.preventDefault(); page = 1; loadList(); });
document.getElementById("precedente").addEventListener("click", () => { if (page > 1) { page -= 1; loadList(); } });
document.getElementById("suivante").addEventListener("click", () => { page += 1; loadList(); });
loadList();
