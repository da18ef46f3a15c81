// Relais public tchat widget: one <script type="module" src=".../widget.js"> on the host page.
// All texts are French; the public's text is only ever set with textContent (never as HTML), and
// counsellors' answers go through the Markdown subset and DOMPurify of markdown.js.
import { renderAnswer } from "./markdown.js";

const SERVICES = { moel: "Mon orientation en ligne", parcoursup: "Parcoursup", monmaster: "Mon Master" };
const AUDIENCES = { eleve: "Élève", parent: "Parent", etudiant: "Étudiant ou étudiante", adulte: "Adulte" };
const STORE = "relais-conversation";
const PANEL = "relais-panel"; // "open" while the panel is open: it comes back after a reload (no conversation data)
const PENDING = `${STORE}:pending`;
const TYPING_SHOWN = 8000; // ms « Un conseiller écrit… » stays after the last sign of typing
// The server's own rules, checked here first so that the person reads a French sentence at once.
const DEPARTEMENT = /^(?:0[1-9]|1[0-9]|[3-8][0-9]|9[0-5]|2[1-9]|2A|2B|97[1-6])$/;
const EMAIL = /^[A-Za-z0-9!#$&'*+/^_`{|}~-]+(?:\.[A-Za-z0-9!#$&'*+/^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
const CLOCK = new Intl.DateTimeFormat("fr-FR", { hour: "2-digit", minute: "2-digit" });
const origin = new URL(import.meta.url).origin;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

// The widget's look comes from the State design system (DSFR), served by the Relais app unless
// the host page has it already, and from its own small stylesheet.
if (!document.querySelector('link[href$="dsfr.min.css"]')) {
  document.head.append(el("link", { rel: "stylesheet", href: `${origin}/dsfr/dsfr.min.css` }));
}
document.head.append(el("link", { rel: "stylesheet", href: `${origin}/static/widget.css` }));

// -- the panel ---------------------------------------------------------------------------------
const root = el("section", { class: "relais-widget", "aria-label": "Tchat avec un conseiller ou une conseillère de l'Onisep" });
const toggle = el("button", { class: "fr-btn relais-toggle", type: "button", "aria-expanded": "false", "aria-controls": "relais-panel" },
  "Poser une question");
const panel = el("div", { class: "relais-panel", id: "relais-panel", hidden: "" });
const title = el("h2", { class: "relais-title", id: "relais-title" });
const closeButton = el("button", { class: "relais-close", type: "button" }, "Fermer", el("span", { class: "fr-sr-only" }, " le tchat"));
const header = el("div", { class: "relais-header" }, title, closeButton);
const body = el("div", { class: "relais-body" });
const dataLink = el("a", { href: `${origin}/donnees-personnelles`, target: "_blank", rel: "noopener noreferrer",
                           title: "Vos données personnelles - nouvelle fenêtre" }, "Vos données personnelles");
const notice = el("div", { class: "relais-notice" },
  el("p", {}, "Réponses rédigées avec l'aide d'un outil d'intelligence artificielle et toujours vérifiées par un conseiller de l'Onisep."),
  el("p", {}, "Vos messages sont pseudonymisés avant tout traitement automatique. ", dataLink));
const status = el("p", { class: "relais-status", role: "status", "aria-live": "polite" });
// The live region (role log) holds the list of messages: new answers are announced.
const log = el("ul", { class: "relais-messages" });
const logBox = el("div", { class: "relais-log", role: "log", "aria-live": "polite", "aria-label": "Messages", tabindex: "0" }, log);
const typing = el("p", { class: "relais-typing", "aria-live": "polite" });

// The message form, with the service and the optional profile.
const form = el("form", { class: "relais-form", novalidate: "" });
const service = el("select", { class: "fr-select", id: "relais-service" }, el("option", { value: "" }, "Je ne sais pas"));
for (const [value, label] of Object.entries(SERVICES)) service.append(el("option", { value }, label));
const profile = el("details", { class: "relais-profile" }, el("summary", {}, "Vous êtes… (facultatif)"));
const audience = el("fieldset", { class: "fr-fieldset" }, el("legend", { class: "fr-fieldset__legend" }, "Vous êtes :"));
const choices = el("div", { class: "relais-choices" });
for (const [value, label] of Object.entries(AUDIENCES)) {
  choices.append(el("div", { class: "fr-radio-group" },
    el("input", { type: "radio", id: `relais-audience-${value}`, name: "relais-audience", value }),
    el("label", { class: "fr-label", for: `relais-audience-${value}` }, label)));
}
audience.append(choices);
const departement = el("input", { class: "fr-input", id: "relais-departement", type: "text", inputmode: "text", maxlength: "3",
                                  autocomplete: "off", "aria-describedby": "relais-departement-hint relais-departement-error" });
const departementError = el("p", { class: "relais-error", id: "relais-departement-error" });
const profileNote = el("p", { class: "relais-note", "aria-live": "polite" });
profile.append(audience,
  el("label", { class: "fr-label", for: "relais-departement" }, "Votre département",
     el("span", { class: "fr-hint-text", id: "relais-departement-hint" }, "Par exemple : 75, 2A ou 974")),
  departement, departementError, profileNote);
const input = el("textarea", { class: "fr-input", id: "relais-text", rows: "2", maxlength: "2000" });
const submit = el("button", { class: "fr-btn", type: "submit" }, "Envoyer");
const serviceField = el("div", { class: "relais-service" }, el("label", { class: "fr-label", for: "relais-service" }, "Service"), service);
form.append(profile, el("label", { class: "fr-label", for: "relais-text" }, "Votre message"), input, el("div", { class: "relais-actions" }, submit));

// Offline contact form, shown when the service is closed (checked here in French: no browser bubble).
const offline = el("form", { class: "relais-offline", novalidate: "", hidden: "" });
const offlineIntro = el("p", {});
const qInput = el("textarea", { class: "fr-input", id: "relais-offline-q", rows: "3", maxlength: "2000",
                                "aria-describedby": "relais-offline-q-error" });
const qError = el("p", { class: "relais-error", id: "relais-offline-q-error" });
const mInput = el("input", { class: "fr-input", id: "relais-offline-mail", type: "email", autocomplete: "email", maxlength: "200",
                             "aria-describedby": "relais-offline-mail-hint relais-offline-mail-error" });
const mError = el("p", { class: "relais-error", id: "relais-offline-mail-error" });
const consent = el("input", { id: "relais-consent", type: "checkbox", "aria-describedby": "relais-consent-error" });
const cError = el("p", { class: "relais-error", id: "relais-consent-error" });
const offlineError = el("p", { class: "relais-error", role: "alert" });
offline.append(offlineIntro,
  el("label", { class: "fr-label", for: "relais-offline-q" }, "Votre question"), qInput, qError,
  el("label", { class: "fr-label", for: "relais-offline-mail" }, "Votre adresse électronique",
     el("span", { class: "fr-hint-text", id: "relais-offline-mail-hint" }, "Format attendu : prenom.nom@exemple.fr")),
  mInput, mError,
  el("div", { class: "fr-checkbox-group" }, consent, el("label", { class: "fr-label", for: "relais-consent" },
    "J'accepte que l'Onisep traite ma question et mon adresse pour me répondre (conservées pour une durée limitée).")),
  cError, offlineError, el("div", { class: "relais-actions" }, el("button", { class: "fr-btn", type: "submit" }, "Envoyer ma question")));

// « Je donne mon avis », offered once the conversation is closed.
const rating = el("section", { class: "relais-rating", "aria-labelledby": "relais-rating-title", hidden: "" });
const rateButton = el("button", { class: "fr-btn fr-btn--secondary fr-btn--sm", type: "button" }, "Je donne mon avis");
const rateForm = el("form", { novalidate: "", hidden: "" });
const scores = el("div", { class: "relais-choices" });
for (let score = 1; score <= 5; score++) {
  scores.append(el("div", { class: "fr-radio-group" },
    el("input", { type: "radio", id: `relais-score-${score}`, name: "relais-score", value: String(score) }),
    el("label", { class: "fr-label", for: `relais-score-${score}` }, String(score), el("span", { class: "fr-sr-only" }, " sur 5"))));
}
const comment = el("textarea", { class: "fr-input", id: "relais-comment", rows: "2", maxlength: "1000",
                                 "aria-describedby": "relais-comment-hint" });
const rateError = el("p", { class: "relais-error", role: "alert" });
rateForm.append(
  el("fieldset", { class: "fr-fieldset", "aria-describedby": "relais-score-hint" },
     el("legend", { class: "fr-fieldset__legend" }, "Votre note",
        el("span", { class: "fr-hint-text", id: "relais-score-hint" }, "De 1 (pas du tout satisfait) à 5 (très satisfait)")),
     scores),
  el("label", { class: "fr-label", for: "relais-comment" }, "Un commentaire (facultatif)",
     el("span", { class: "fr-hint-text", id: "relais-comment-hint" }, "N'y indiquez pas de données personnelles.")),
  comment, rateError, el("div", { class: "relais-actions" }, el("button", { class: "fr-btn fr-btn--sm", type: "submit" }, "Envoyer mon avis")));
const rateThanks = el("p", { class: "relais-note", "aria-live": "polite" });
rating.append(el("h3", { class: "fr-text--md fr-mb-1v", id: "relais-rating-title" }, "Votre avis nous aide à améliorer ce service"),
              rateButton, rateForm, rateThanks);

// Erasure on request: the conversation's reference (short enough to read over the phone) and a
// discreet link to erase it, confirmed first.
const reference = el("span");
const eraseLink = el("button", { type: "button", class: "relais-linkbutton" }, "Effacer cette conversation");
const erasure = el("p", { class: "relais-erase", hidden: "" }, reference, " · ", eraseLink);
const confirmYes = el("button", { type: "button", class: "fr-btn fr-btn--sm" }, "Oui, effacer");
const confirmNo = el("button", { type: "button", class: "fr-btn fr-btn--sm fr-btn--secondary" }, "Annuler");
const confirmBox = el("div", { class: "relais-confirm", role: "group", "aria-labelledby": "relais-confirm-text", hidden: "" },
  el("p", { id: "relais-confirm-text" },
     "Effacer définitivement cette conversation ? Vos messages seront supprimés et ne pourront pas être récupérés."),
  el("div", { class: "relais-actions" }, confirmYes, confirmNo));

body.append(notice, status, logBox, typing, rating, serviceField, form, offline, erasure, confirmBox);
panel.append(header, body);
panel.setAttribute("aria-labelledby", "relais-title");
root.append(toggle, panel);
document.body.append(el("div", { class: "relais-spacer", "aria-hidden": "true" }), root);

// -- state -------------------------------------------------------------------------------------
let socket = null;
// The conversation survives a reload (id + token); lastSeq is per page: a reloaded page has
// shown nothing yet, so it asks for everything, and a reconnect only for what it missed.
let state = { ...(JSON.parse(localStorage.getItem(STORE) || "null") || { conversation: null, token: null }), lastSeq: 0 };
// idempotency key -> { text, item }: resent after a reconnect or a reload until acknowledged
// (kept in localStorage, so a message written just before a reload is not lost; the key keeps it single)
const pending = new Map();
const shown = new Set();
let retries = 0; // resends in a row after the server could not process a message
let reconnects = 0; // connections lost in a row: the next try waits longer (reset by a welcome)
let reconnectTimer = null; // the next try, while the connection is lost
let profileToSend = false; // a profile given before the conversation existed: sent at the welcome
let typingTimer = null;
let reopening = ""; // « Le service rouvre … » when the service is closed

function save() { localStorage.setItem(STORE, JSON.stringify({ conversation: state.conversation, token: state.token })); }
function savePending() {
  if (pending.size) localStorage.setItem(PENDING, JSON.stringify([...pending].map(([key, { text }]) => ({ key, text }))));
  else localStorage.removeItem(PENDING);
}
function connected() { return socket && socket.readyState === WebSocket.OPEN; }
function sendFrame(frame) { if (connected()) socket.send(JSON.stringify(frame)); }

// Once the first message settled the service, the title bar names it: the list steps aside.
function settleService(settled) {
  service.disabled = settled;
  serviceField.hidden = settled;
}

function showTitle() {
  title.replaceChildren(SERVICES[service.value] || SERVICES.moel, el("small", {}, "Tchat de l'Onisep"));
}

// -- messages ----------------------------------------------------------------------------------
function stamp(at) {
  const moment = at ? new Date(at) : new Date();
  return el("time", { class: "relais-time", datetime: moment.toISOString() }, CLOCK.format(moment));
}

function reveal(item) {
  logBox.scrollTop = logBox.scrollHeight;
  if (body.scrollHeight > body.clientHeight) item.scrollIntoView({ block: "nearest" }); // a phone: the panel scrolls
}

function bubble(author, text, at) {
  const item = el("li", { class: `relais-msg relais-${author}` });
  if (author === "system") {
    item.append(el("span", { class: "fr-sr-only" }, "Information : "), text);
  } else if (author === "counsellor") {
    item.append(el("span", { class: "relais-who" }, "Conseiller ou conseillère : "), el("div", { class: "relais-answer" }, renderAnswer(text)));
  } else {
    item.append(el("span", { class: "relais-who" }, "Vous : "), text);
  }
  if (at !== null) item.append(stamp(at));
  log.append(item);
  for (const waiting of pending.values()) log.append(waiting.item); // unsent messages stay last
  reveal(item);
  return item;
}

function addPending(key, text) {
  const item = bubble("user", text, null);
  item.classList.add("relais-pending");
  item.title = "Envoi en cours";
  pending.set(key, { text, item });
  log.append(item); // after the older unsent ones
  savePending();
}

function mark(seq) { shown.add(seq); state.lastSeq = Math.max(state.lastSeq, seq); save(); }

function show(seq, author, text, at) {
  if (seq && shown.has(seq)) return;
  if (seq) mark(seq);
  bubble(author, text, at);
}

function showTyping() {
  typing.textContent = "Un conseiller écrit…";
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => { typing.textContent = ""; }, TYPING_SHOWN);
}

function hideTyping() { clearTimeout(typingTimer); typing.textContent = ""; }

// A message the server has not acknowledged yet stays on screen, marked, until it is stored.
function sendPending(key) {
  const { text } = pending.get(key);
  sendFrame({ type: "message", text, key, service: service.value || null });
}

function resendAll() { for (const key of pending.keys()) sendPending(key); }

// The unsent messages, taken off the screen and out of storage: their texts, oldest first.
function takeUnsent() {
  const texts = [...pending.values()].map(({ text, item }) => { item.remove(); return text; });
  pending.clear();
  savePending();
  return texts;
}

// -- the service's hours and the offline form ----------------------------------------------------
// Only the answer for the latest choice counts: on a slow network an older one may land after it
// (null then), and must not reopen the tchat of a service the person has left.
let statusAsked = 0;
async function serviceStatus() {
  const asked = ++statusAsked;
  const response = await fetch(`${origin}/offline/status?service=${service.value || "moel"}`);
  const answer = await response.json();
  if (asked !== statusAsked) return null;
  reopening = answer.reopens_text || "";
  return answer;
}

// When the service is closed, the unsent text moves to the offline form: nothing is resent.
function showOffline(open, focus = true) {
  form.hidden = !open;
  offline.hidden = open;
  if (open) return;
  offlineIntro.textContent = ["Le service est fermé pour le moment.", reopening,
                              "Laissez votre question : nous vous répondrons par courriel."].filter(Boolean).join(" ");
  qInput.value ||= takeUnsent()[0] ?? "";
  if (focus) qInput.focus();
}

// Another service picked before writing: its own hours apply (the focus stays on the list).
async function serviceChosen() {
  showTitle();
  const status = await serviceStatus();
  if (!status) return;  // a later choice decides
  if (status.open) { form.hidden = false; offline.hidden = true; if (!socket) connect(); } else showOffline(false, false);
}

function fieldError(field, error, message) {
  error.textContent = message;
  if (message) field.setAttribute("aria-invalid", "true"); else field.removeAttribute("aria-invalid");
  return !message;
}

function checkOffline() {
  const checks = [
    fieldError(qInput, qError, qInput.value.trim() ? "" : "Écrivez votre question."),
    fieldError(mInput, mError, !mInput.value.trim() ? "Indiquez votre adresse électronique pour recevoir la réponse."
      : EMAIL.test(mInput.value.trim()) ? ""
        : "Adresse électronique invalide : indiquez une seule adresse, de la forme prenom.nom@exemple.fr."),
    fieldError(consent, cError, consent.checked ? "" : "Cochez la case pour que nous puissions vous répondre par courriel."),
  ];
  const first = [qInput, mInput, consent][checks.indexOf(false)];
  if (first) first.focus();
  return !first;
}

offline.addEventListener("submit", async (event) => {
  event.preventDefault();
  offlineError.textContent = "";
  if (!checkOffline()) return;
  let response;
  let answer = {};
  try {
    response = await fetch(`${origin}/offline`, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ service: service.value || "moel", question: qInput.value, email: mInput.value.trim(),
                             consent: consent.checked }),
    });
    answer = await response.json().catch(() => ({}));
  } catch {
    offlineError.textContent = "Envoi impossible : vérifiez votre connexion à Internet, puis réessayez.";
    return;
  }
  if (response.ok) {
    status.textContent = answer.message;
    offline.reset();
    return;
  }
  // The server's messages are French sentences; anything else gets one of ours.
  offlineError.textContent = typeof answer.detail === "string" ? answer.detail
    : "Votre question n'a pas pu être envoyée : vérifiez les champs, puis réessayez.";
});

// -- profile (optional) --------------------------------------------------------------------------
function chosenAudience() { return choices.querySelector("input:checked")?.value || null; }

function sendProfile() {
  profileNote.textContent = "";
  const code = departement.value.trim().toUpperCase().replace(/^([1-9])$/, "0$1");
  if (!fieldError(departement, departementError, !code || DEPARTEMENT.test(code) ? ""
    : "Département inconnu : indiquez un numéro de 01 à 95, 2A, 2B ou de 971 à 976.")) return;
  if (connected() && state.conversation) {
    profileToSend = false;
    sendFrame({ type: "profile", audience: chosenAudience(), departement: code || null });
  } else {
    profileToSend = true;
  }
}

choices.addEventListener("change", sendProfile);
departement.addEventListener("change", sendProfile);

// -- the end of a conversation and « Je donne mon avis » -------------------------------------------
function offerRating(rated) {
  rating.hidden = false;
  rateForm.hidden = true;
  rateButton.hidden = rated;
  rateThanks.textContent = rated ? "Merci, vous avez donné votre avis sur cette conversation." : "";
}

function resetRating() {
  rating.hidden = true;
  rateForm.reset();
  rateError.textContent = "";
  rateThanks.textContent = "";
}

rateButton.addEventListener("click", () => {
  rateButton.hidden = true;
  rateForm.hidden = false;
  scores.querySelector("input").focus();
});

rateForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const score = scores.querySelector("input:checked");
  if (!score) {
    rateError.textContent = "Choisissez une note de 1 à 5.";
    scores.querySelector("input").focus();
    return;
  }
  if (!connected()) {
    rateError.textContent = "Connexion perdue : réessayez d'envoyer votre avis dans un instant.";
    return;
  }
  rateError.textContent = "";
  sendFrame({ type: "rate", score: Number(score.value), comment: comment.value.trim() || null });
});

function ended(rated) {
  hideTyping();
  form.hidden = true;
  status.textContent = "Cette conversation est terminée.";
  offerRating(rated);
  offerNewConversation();
}

// A closed conversation takes no more messages: the unsent ones wait for a new conversation.
function offerNewConversation() {
  if (status.querySelector("button")) return;
  const again = el("button", { type: "button", class: "fr-btn fr-btn--sm fr-btn--secondary" }, "Commencer une nouvelle conversation");
  again.addEventListener("click", () => {
    again.remove();
    log.replaceChildren();
    shown.clear();
    settleService(false);
    form.hidden = false;
    resetRating();
    for (const { item } of pending.values()) log.append(item);
    profileToSend = Boolean(chosenAudience() || departement.value.trim());
    sendFrame({ type: "hello", service: service.value || null });
    input.focus();
  });
  status.append(" ", again);
}

// The conversation was erased (here or in another tab): nothing of it stays in this browser.
function forgetConversation() {
  state = { conversation: null, token: null, lastSeq: 0 };
  localStorage.removeItem(STORE);
  takeUnsent();
  shown.clear();
  log.replaceChildren();
  erasure.hidden = true;
  reference.textContent = "";
  confirmBox.hidden = true;
  settleService(false);
  resetRating();
  hideTyping();
  status.textContent = "Votre conversation a été effacée.";
  offerNewConversation();
}

// -- the socket ----------------------------------------------------------------------------------
function welcome(frame) {
  reconnects = 0;
  state.conversation = frame.conversation;
  if (frame.token) state.token = frame.token;
  save();
  if (frame.resumed) { service.value = frame.service; settleService(true); }
  showTitle();
  reference.textContent = `Référence de la conversation : ${frame.conversation.slice(0, 8)}`;
  erasure.hidden = false;
  status.textContent = frame.position > 0
    ? `Un conseiller ou une conseillère va vous répondre. Position dans la file : ${frame.position}.`
    : "Un conseiller ou une conseillère suit votre conversation.";
  if (profileToSend) sendProfile();
  resendAll();
}

function acknowledged(frame) {
  if (frame.outcome === "profile") { profileNote.textContent = "Merci, c'est noté."; return; }
  if (frame.outcome === "rated") {
    rateForm.hidden = true;
    rateThanks.textContent = "Merci pour votre avis !";
    return;
  }
  const sent = pending.get(frame.key);
  pending.delete(frame.key);
  savePending();
  retries = 0;
  settleService(true); // the first message settled the service
  if (sent) {
    if (shown.has(frame.seq)) sent.item.remove(); // already shown by the relay
    else {
      sent.item.classList.remove("relais-pending");
      sent.item.removeAttribute("title");
      sent.item.append(stamp());
      mark(frame.seq);
    }
  }
}

function refused(frame) {
  status.textContent = frame.message;
  if (["deja_note", "sans_message"].includes(frame.code)) { rateError.textContent = frame.message; return; }
  if (["introuvable", "illisible", "fermee"].includes(frame.code)) { state = { conversation: null, token: null, lastSeq: 0 }; save(); }
  // The stored conversation cannot be resumed (erased, purged, or its key changed): a new one
  // starts, as the message says, and what was not sent yet goes back to the input, never
  // resent on its own into the new conversation (it may have been written for an erased one).
  if (frame.code === "introuvable" || frame.code === "illisible") {
    const unsent = takeUnsent();
    if (unsent.length) input.value = [...unsent, input.value].filter(Boolean).join("\n");
    sendFrame({ type: "hello", service: service.value || null });
  }
  if (frame.code === "fermee") offerNewConversation();
  if (frame.code === "trop_de_conversations" && !state.conversation) offerNewConversation();  // to try again later
  if (frame.code === "ferme") {
    status.textContent = "";
    serviceStatus().catch(() => null).finally(() => showOffline(false));
  }
  // The server could not process the message (its models restart): try again, less and less often.
  if (frame.code === "indisponible" && pending.size && retries < 8) setTimeout(resendAll, 2000 * 2 ** retries++);
}

function connect() {
  socket = new WebSocket(origin.replace(/^http/, "ws") + "/widget/ws");
  socket.addEventListener("open", () => {
    socket.send(JSON.stringify({ type: "hello", conversation: state.conversation, token: state.token,
                                 service: service.value || null, last_seq: state.lastSeq }));
  });
  socket.addEventListener("message", (event) => {
    const frame = JSON.parse(event.data);
    if (frame.type === "welcome") welcome(frame);
    else if (frame.type === "opening") status.textContent = frame.message;  // many open at once: its turn comes
    else if (frame.type === "message") {
      if (frame.author === "counsellor") hideTyping();
      show(frame.seq, frame.author, frame.text, frame.at);
      if (frame.author === "system" || frame.author === "counsellor") status.textContent = "";
    } else if (frame.type === "typing") showTyping();
    else if (frame.type === "ended") ended(frame.rated);
    else if (frame.type === "erased") forgetConversation();
    else if (frame.type === "service") { service.value = frame.service; showTitle(); }
    else if (frame.type === "ack") acknowledged(frame);
    else if (frame.type === "error") refused(frame);
  });
  socket.addEventListener("close", () => {
    status.textContent = "Connexion perdue, nouvelle tentative…";
    // Less and less often (1.5 s, 3 s… up to 10 s, a little random so a class does not retry in step),
    // until a welcome says the server is there again.
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(connect, Math.min(10000, 1500 * 2 ** reconnects++) * (0.8 + 0.4 * Math.random()));
  });
}

// The person sends a message or the browser is back online: no reason to wait for the next try.
function reconnectNow() {
  if (!reconnectTimer || (socket && socket.readyState !== WebSocket.CLOSED)) return;
  clearTimeout(reconnectTimer);
  reconnectTimer = null;
  connect();
}
window.addEventListener("online", reconnectNow);

// -- opening and closing the panel -----------------------------------------------------------------
async function start(focus) {
  const status = await serviceStatus();
  if (!status) return;  // a later choice decides
  showOffline(status.open);
  if (status.open) {
    if (!socket) connect();
    if (focus) input.focus();
  }
}

function openPanel(focus = true) {
  panel.hidden = false;
  root.classList.add("relais-open");
  toggle.setAttribute("aria-expanded", "true");
  localStorage.setItem(PANEL, "open");
  start(focus);
}

function closePanel() {
  panel.hidden = true;
  root.classList.remove("relais-open");
  toggle.setAttribute("aria-expanded", "false");
  localStorage.removeItem(PANEL);
  toggle.focus();
}

// The toggle opens the tchat (or, open already, brings the focus back to it); « Fermer » and
// Échap close it.
toggle.addEventListener("click", () => {
  if (panel.hidden) openPanel();
  else (form.hidden ? closeButton : input).focus();
});
closeButton.addEventListener("click", closePanel);
panel.addEventListener("keydown", (event) => { if (event.key === "Escape") closePanel(); });
service.addEventListener("change", () => { serviceChosen().catch(() => null); });

eraseLink.addEventListener("click", () => { confirmBox.hidden = false; confirmNo.focus(); });
confirmNo.addEventListener("click", () => { confirmBox.hidden = true; eraseLink.focus(); });
confirmYes.addEventListener("click", () => {
  confirmBox.hidden = true;
  if (connected()) sendFrame({ type: "erase" });
  else status.textContent = "Connexion perdue : réessayez d'effacer la conversation dans un instant.";
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) { status.textContent = "Écrivez votre message avant de l'envoyer."; input.focus(); return; }
  const key = crypto.randomUUID();
  addPending(key, text);
  sendPending(key);
  reconnectNow();
  input.value = "";
  input.focus();
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
});

showTitle();
for (const { key, text } of JSON.parse(localStorage.getItem(PENDING) || "[]")) addPending(key, text);
// A conversation running when the page was left: the panel comes back as it was.
if (localStorage.getItem(PANEL) === "open" && (state.conversation || pending.size)) openPanel(false);
