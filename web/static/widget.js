// Relais public tchat widget: one <script type="module" src=".../widget.js"> on the host page.
// All texts are French; user text is only ever set with textContent (never as HTML).
const SERVICES = { moel: "Mon orientation en ligne", parcoursup: "Parcoursup", monmaster: "Mon Master" };
const STORE = "relais-conversation";
const origin = new URL(import.meta.url).origin;

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

// The widget's look comes from the State design system (DSFR), served by the Relais app.
if (!document.querySelector('link[href$="dsfr.min.css"]')) {
  document.head.append(el("link", { rel: "stylesheet", href: `${origin}/dsfr/dsfr.min.css` }));
  document.head.append(el("link", { rel: "stylesheet", href: `${origin}/static/relais.css` }));
}

const root = el("section", { class: "relais-widget", "aria-label": "Tchat avec un conseiller ou une conseillère" });
const toggle = el("button", { class: "fr-btn relais-toggle", type: "button", "aria-expanded": "false" }, "Poser une question");
const panel = el("div", { class: "relais-panel", hidden: "" });
const info = el("p", { class: "relais-info" }, "Les réponses viennent de conseillères et conseillers de l'Onisep.");
const status = el("p", { class: "relais-status", role: "status", "aria-live": "polite" });
const log = el("ol", { class: "relais-log", "aria-live": "polite", "aria-label": "Messages" });
const form = el("form", { class: "relais-form" });
const serviceLabel = el("label", { class: "fr-label", for: "relais-service" }, "Service");
const service = el("select", { class: "fr-select", id: "relais-service" });
service.append(el("option", { value: "" }, "Je ne sais pas"));
for (const [value, label] of Object.entries(SERVICES)) service.append(el("option", { value }, label));
const label = el("label", { class: "fr-label", for: "relais-text" }, "Votre message");
const input = el("textarea", { class: "fr-input", id: "relais-text", rows: "3", maxlength: "2000", required: "" });
const submit = el("button", { class: "fr-btn", type: "submit" }, "Envoyer");
form.append(serviceLabel, service, label, input, submit);
// Offline contact form, shown when the service is closed.
const offline = el("form", { class: "relais-offline", hidden: "" });
const offlineIntro = el("p", {}, "Le service est fermé pour le moment. Laissez votre question : nous vous répondrons par courriel.");
const qLabel = el("label", { class: "fr-label", for: "relais-offline-q" }, "Votre question");
const qInput = el("textarea", { class: "fr-input", id: "relais-offline-q", rows: "3", maxlength: "2000", required: "" });
const mLabel = el("label", { class: "fr-label", for: "relais-offline-mail" }, "Votre adresse électronique");
const mInput = el("input", { class: "fr-input", id: "relais-offline-mail", type: "email", autocomplete: "email", required: "" });
const consent = el("input", { class: "fr-input", id: "relais-consent", type: "checkbox", required: "" });
const cLabel = el("label", { class: "fr-label", for: "relais-consent" },
  "J'accepte que l'Onisep traite ma question et mon adresse pour me répondre (conservées pour une durée limitée).");
const offlineSubmit = el("button", { class: "fr-btn", type: "submit" }, "Envoyer ma question");
offline.append(offlineIntro, qLabel, qInput, mLabel, mInput, consent, cLabel, offlineSubmit);
// Erasure on request: the conversation's reference (short enough to read over the phone) and a
// discreet link to erase it, confirmed first.
const erasure = el("p", { class: "relais-erase", hidden: "" });
const reference = el("span");
const eraseLink = el("button", { type: "button", class: "fr-link fr-link--sm" }, "Effacer cette conversation");
Object.assign(eraseLink.style, { background: "none", color: "inherit", padding: "0", textDecoration: "underline", fontSize: "inherit" });
erasure.style.fontSize = ".875rem";
erasure.append(reference, " · ", eraseLink);
const confirmBox = el("div", { class: "relais-confirm", role: "group", "aria-labelledby": "relais-confirm-text", hidden: "" });
const confirmText = el("p", { id: "relais-confirm-text" },
  "Effacer définitivement cette conversation ? Vos messages seront supprimés et ne pourront pas être récupérés.");
const confirmYes = el("button", { type: "button", class: "fr-btn fr-btn--sm" }, "Oui, effacer");
const confirmNo = el("button", { type: "button", class: "fr-btn fr-btn--sm fr-btn--secondary" }, "Annuler");
confirmBox.append(confirmText, confirmYes, " ", confirmNo);
panel.append(info, status, log, form, offline, erasure, confirmBox);
root.append(toggle, panel);
document.body.append(root);

let socket = null;
// The conversation survives a reload (id + token); lastSeq is per page: a reloaded page has
// shown nothing yet, so it asks for everything, and a reconnect only for what it missed.
let state = { ...(JSON.parse(localStorage.getItem(STORE) || "null") || { conversation: null, token: null }), lastSeq: 0 };
// idempotency key -> { text, item }: resent after a reconnect or a reload until acknowledged
// (kept in localStorage, so a message written just before a reload is not lost; the key keeps it single)
const pending = new Map();
const PENDING = `${STORE}:pending`;
const shown = new Set();
let retries = 0; // resends in a row after the server could not process a message

function save() { localStorage.setItem(STORE, JSON.stringify({ conversation: state.conversation, token: state.token })); }
function savePending() {
  if (pending.size) localStorage.setItem(PENDING, JSON.stringify([...pending].map(([key, { text }]) => ({ key, text }))));
  else localStorage.removeItem(PENDING);
}

function bubble(author, text) {
  const who = { user: "Vous", counsellor: "Conseiller·ère", system: "Information" }[author] || author;
  const item = el("li", { class: `relais-${author}` });
  item.append(el("strong", {}, `${who} : `), document.createTextNode(text));
  log.append(item);
  for (const waiting of pending.values()) log.append(waiting.item); // unsent messages stay last
  return item;
}

function addPending(key, text) {
  const item = bubble("user", text);
  item.classList.add("relais-pending");
  item.title = "Envoi en cours";
  pending.set(key, { text, item });
  log.append(item); // after the older unsent ones
  savePending();
}

function mark(seq) { shown.add(seq); state.lastSeq = Math.max(state.lastSeq, seq); save(); }

function show(seq, author, text) {
  if (seq && shown.has(seq)) return;
  if (seq) mark(seq);
  bubble(author, text);
}

// A message the server has not acknowledged yet stays on screen, marked, until it is stored.
function sendPending(key) {
  const { text } = pending.get(key);
  if (socket && socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify({ type: "message", text, key, service: service.value || null }));
  }
}

function resendAll() { for (const key of pending.keys()) sendPending(key); }

// The unsent messages, taken off the screen and out of storage: their texts, oldest first.
function takeUnsent() {
  const texts = [...pending.values()].map(({ text, item }) => { item.remove(); return text; });
  pending.clear();
  savePending();
  return texts;
}

// When the service is closed, the unsent text moves to the offline form: nothing is resent.
function showOffline(open) {
  form.hidden = !open;
  offline.hidden = open;
  if (open) return;
  qInput.value ||= takeUnsent()[0] ?? "";
  qInput.focus();
}

// A closed conversation takes no more messages: the unsent ones wait for a new conversation.
function offerNewConversation() {
  const again = el("button", { type: "button", class: "fr-btn fr-btn--sm fr-btn--secondary" }, "Commencer une nouvelle conversation");
  again.addEventListener("click", () => {
    again.remove();
    log.replaceChildren();
    shown.clear();
    service.disabled = false;
    for (const { item } of pending.values()) log.append(item);
    socket.send(JSON.stringify({ type: "hello", service: service.value || null }));
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
  service.disabled = false;
  status.textContent = "Votre conversation a été effacée.";
  offerNewConversation();
}

function connect() {
  const url = origin.replace(/^http/, "ws") + "/widget/ws";
  socket = new WebSocket(url);
  socket.addEventListener("open", () => {
    socket.send(JSON.stringify({ type: "hello", conversation: state.conversation, token: state.token,
                                 service: service.value || null, last_seq: state.lastSeq }));
  });
  socket.addEventListener("message", (event) => {
    const frame = JSON.parse(event.data);
    if (frame.type === "welcome") {
      state.conversation = frame.conversation;
      if (frame.token) state.token = frame.token;
      save();
      if (frame.resumed) { service.value = frame.service; service.disabled = true; }
      reference.textContent = `Référence de la conversation : ${frame.conversation.slice(0, 8)}`;
      erasure.hidden = false;
      status.textContent = frame.position > 0
        ? `Un conseiller ou une conseillère va vous répondre. Position dans la file : ${frame.position}.`
        : "Un conseiller ou une conseillère suit votre conversation.";
      resendAll();
    } else if (frame.type === "message") {
      show(frame.seq, frame.author, frame.text);
      if (frame.author === "system" || frame.author === "counsellor") status.textContent = "";
    } else if (frame.type === "erased") {
      forgetConversation();
    } else if (frame.type === "service") {
      service.value = frame.service;
    } else if (frame.type === "ack") {
      const sent = pending.get(frame.key);
      pending.delete(frame.key);
      savePending();
      retries = 0;
      service.disabled = true; // the first message settled the service
      if (sent) {
        if (shown.has(frame.seq)) sent.item.remove(); // already shown by the relay
        else { sent.item.classList.remove("relais-pending"); sent.item.removeAttribute("title"); mark(frame.seq); }
      }
    } else if (frame.type === "error") {
      status.textContent = frame.message;
      if (["introuvable", "illisible", "fermee"].includes(frame.code)) { state = { conversation: null, token: null, lastSeq: 0 }; save(); }
      // The stored conversation cannot be resumed (erased, purged, or its key changed): a new one
      // starts, as the message says, and what was not sent yet goes back to the input, never
      // resent on its own into the new conversation (it may have been written for an erased one).
      if (frame.code === "introuvable" || frame.code === "illisible") {
        const unsent = takeUnsent();
        if (unsent.length) input.value = [...unsent, input.value].filter(Boolean).join("\n");
        socket.send(JSON.stringify({ type: "hello", service: service.value || null }));
      }
      if (frame.code === "fermee") offerNewConversation();
      if (frame.code === "ferme") { status.textContent = ""; showOffline(false); }
      // The server could not process the message (its models restart): try again, less and less often.
      if (frame.code === "indisponible" && pending.size && retries < 8) setTimeout(resendAll, 2000 * 2 ** retries++);
    }
  });
  socket.addEventListener("close", () => {
    status.textContent = "Connexion perdue, nouvelle tentative…";
    setTimeout(connect, 1500);
  });
}

eraseLink.addEventListener("click", () => { confirmBox.hidden = false; confirmNo.focus(); });
confirmNo.addEventListener("click", () => { confirmBox.hidden = true; eraseLink.focus(); });
confirmYes.addEventListener("click", () => {
  confirmBox.hidden = true;
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "erase" }));
  else status.textContent = "Connexion perdue : réessayez d'effacer la conversation dans un instant.";
});

for (const { key, text } of JSON.parse(localStorage.getItem(PENDING) || "[]")) addPending(key, text);

async function start() {
  const response = await fetch(`${origin}/offline/status?service=${service.value || "moel"}`);
  const { open } = await response.json();
  showOffline(open);
  if (open) { if (!socket) connect(); input.focus(); }
}

toggle.addEventListener("click", () => {
  const open = panel.hidden;
  panel.hidden = !open;
  toggle.setAttribute("aria-expanded", String(open));
  if (open) start(); else toggle.focus();
});

offline.addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await fetch(`${origin}/offline`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ service: service.value || "moel", question: qInput.value, email: mInput.value, consent: consent.checked }),
  });
  const body = await response.json();
  status.textContent = response.ok ? body.message
    : ((body.detail?.[0]?.msg || "").replace(/^Value error, /, "") || body.detail || "Envoi impossible.");
  if (response.ok) offline.reset();
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  const key = crypto.randomUUID();
  addPending(key, text);
  sendPending(key);
  input.value = "";
  input.focus();
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
});
