// The console's conversation list: one row per open conversation, updated in place (a keyed list,
// so a new message touches one row, not 500). User text is only ever set with textContent.
export const SERVICES = { moel: "Mon orientation en ligne", parcoursup: "Parcoursup", monmaster: "Mon Master" };
const UPDATE = "relais:list-update"; // performance measure read by bench/bench_console.py

export class ConversationList {
  constructor(list, counts, { onOpen, me, waitMinutes, services }) {
    this.list = list;
    this.counts = counts;
    this.onOpen = onOpen;
    this.me = me;
    this.waitMinutes = waitMinutes || {};
    this.services = services || [];
    this.rows = new Map(); // conversation -> { data, li, button, parts, key }
    this.sorted = []; // the rows in the list's order (see `order`)
    this.moved = new Set(); // rows changed since the last `order`: only they can change place
    this.open = null;
    this.seen = JSON.parse(sessionStorage.getItem("relais-console-seen") || "{}");
  }

  // Every change goes through here: measured, then the rows, order and counts made right.
  apply(change) {
    performance.mark(`${UPDATE}:start`);
    change();
    this.order();
    this.count();
    performance.measure(UPDATE, `${UPDATE}:start`);
  }

  replaceAll(conversations) {
    this.apply(() => {
      const fresh = new Set(conversations.map((c) => c.conversation));
      for (const id of [...this.rows.keys()]) if (!fresh.has(id)) this.remove(id);
      for (const c of conversations) this.upsert(c);
    });
  }

  upsert(data) {
    let row = this.rows.get(data.conversation);
    if (!row) {
      row = this.build(data);
      this.rows.set(data.conversation, row);
    } else {
      Object.assign(row.data, data);
    }
    this.moved.add(row);
    this.paint(row);
    return row;
  }

  remove(id) {
    const row = this.rows.get(id);
    if (!row) return;
    row.li.remove();
    this.rows.delete(id);
    this.moved.delete(row);
    const at = this.sorted.indexOf(row);
    if (at !== -1) this.sorted.splice(at, 1);
  }

  get(id) {
    return this.rows.get(id)?.data;
  }

  serves(service) {
    return this.services.includes(service);
  }

  // A message seen in a conversation (or a new conversation).
  message(frame) {
    this.apply(() => {
      const known = this.rows.get(frame.conversation);
      const data = known ? known.data : { conversation: frame.conversation, service: frame.service || "", status: "waiting" };
      data.last_seq = Math.max(data.last_seq || 0, frame.seq);
      if (frame.service) data.service = frame.service;
      if (frame.author !== "system") {
        data.preview = frame.text.replace(/\s+/g, " ").trim().slice(0, 160);
        data.last_author = frame.author;
        data.last_at = new Date().toISOString();
        if (frame.author === "counsellor") data.waiting_since = null;
        else if (!data.waiting_since) data.waiting_since = data.last_at;
      }
      if (frame.conversation === this.open) this.markSeen(frame.conversation, data.last_seq);
      this.upsert(data);
    });
  }

  setOpen(id) {
    const before = this.open;
    this.open = id;
    for (const other of [before, id]) {
      const row = other && this.rows.get(other);
      if (row) {
        if (other === id) this.markSeen(id, row.data.last_seq || 0);
        this.paint(row);
      }
    }
  }

  markSeen(id, seq) {
    this.seen[id] = seq;
    sessionStorage.setItem("relais-console-seen", JSON.stringify(this.seen));
  }

  // The row after (or before) the open one, in the list's order.
  neighbour(step) {
    const ids = [...this.list.children].map((li) => li.dataset.conversation);
    if (!ids.length) return null;
    const at = ids.indexOf(this.open);
    if (at === -1) return ids[step > 0 ? 0 : ids.length - 1];
    return ids[(at + step + ids.length) % ids.length];
  }

  focus(id) {
    this.rows.get(id)?.button.focus();
  }

  build(data) {
    const li = document.createElement("li");
    li.dataset.conversation = data.conversation;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "conv";
    const line = (cls) => { const span = document.createElement("span"); span.className = cls; return span; };
    const parts = {
      top: line("conv-top"), service: line("conv-service"), wait: line("conv-wait"), unread: line("conv-unread"),
      preview: line("conv-preview"), bottom: line("conv-bottom"), who: line("conv-who"), ref: line("conv-ref"),
    };
    parts.top.append(parts.service, parts.wait, parts.unread);
    parts.bottom.append(parts.who, parts.ref);
    button.append(parts.top, parts.preview, parts.bottom);
    button.addEventListener("click", () => this.onOpen(data.conversation));
    li.append(button);
    return { data, li, button, parts };
  }

  paint(row) {
    const c = row.data;
    const { parts } = row;
    parts.service.textContent = SERVICES[c.service] || c.service;
    parts.preview.textContent = c.preview ? `${c.last_author === "counsellor" ? "Vous : " : ""}${c.preview}` : "…";
    const unread = c.conversation !== this.open && c.last_author === "user" && (c.last_seq || 0) > (this.seen[c.conversation] || 0);
    parts.unread.textContent = unread ? "Non lu" : "";
    parts.unread.hidden = !unread;
    row.button.classList.toggle("conv-is-unread", unread);
    let who;
    if (c.status === "active") who = c.counsellor && c.counsellor !== this.me ? `${c.counsellor} répond` : "Vous répondez";
    else who = c.previous ? `En attente · transférée de ${SERVICES[c.previous] || c.previous}` : "En attente";
    parts.who.textContent = who;
    parts.ref.textContent = ` · réf. ${c.conversation.slice(0, 8)}`;
    const current = c.conversation === this.open;
    row.button.classList.toggle("conv-is-open", current);
    if (current) row.button.setAttribute("aria-current", "true");
    else row.button.removeAttribute("aria-current");
    this.paintWait(row, Date.now());
  }

  paintWait(row, now) {
    const c = row.data;
    const span = row.parts.wait;
    let text = "";
    let cls = "conv-wait";
    if (c.waiting_since) {
      const waited = Math.max(0, (now - Date.parse(c.waiting_since)) / 60000);
      const minutes = Math.floor(waited);
      const [amber, red] = this.waitMinutes[c.service] || [3, 8];
      const level = waited >= red ? "red" : waited >= amber ? "amber" : "ok";
      const label = minutes < 1 ? "attend depuis moins d'une minute" : `attend depuis ${minutes} min`;
      text = level === "red" ? `${label} · attente longue` : level === "amber" ? `${label} · à traiter` : label;
      cls = `conv-wait conv-wait-${level}`;
    }
    if (span.textContent !== text) span.textContent = text;  // the clock ticks over 500 rows: touch only what changed
    if (span.className !== cls) span.className = cls;
  }

  // The waiting times move with the clock (the order does not: it rests on when each wait began).
  tick() {
    const now = Date.now();
    for (const row of this.rows.values()) this.paintWait(row, now);
  }

  // Waiting conversations first, the longest wait on top; then the others, the latest first.
  static key(c) {
    const group = c.status === "waiting" && c.waiting_since ? 0 : c.status === "waiting" ? 1 : 2;
    const time = c.waiting_since ? Date.parse(c.waiting_since) : -Date.parse(c.last_at || 0) || 0;
    return { group, time, id: c.conversation };
  }

  static before(a, b) {
    return a.group - b.group || a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  }

  // Only the changed rows are placed again (a binary search each), and only those that changed
  // place move in the page: a message to one of 1,000 rows costs microseconds, not a sort.
  order() {
    const moved = [...this.moved].filter((row) => this.rows.get(row.data.conversation) === row);
    this.moved.clear();
    if (moved.length > 32) return this.sortAll();
    for (const row of moved) {
      const key = ConversationList.key(row.data);
      const known = row.key !== undefined;
      if (known && ConversationList.before(key, row.key) === 0) continue;
      if (known) this.sorted.splice(this.sorted.indexOf(row), 1);
      row.key = key;
      let low = 0;
      let high = this.sorted.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (ConversationList.before(this.sorted[middle].key, key) < 0) low = middle + 1;
        else high = middle;
      }
      this.sorted.splice(low, 0, row);
      const next = this.sorted[low + 1]?.li || null;
      if (row.li.nextElementSibling !== next || row.li.parentNode !== this.list) this.list.insertBefore(row.li, next);
    }
  }

  sortAll() {
    for (const row of this.rows.values()) row.key = ConversationList.key(row.data);
    this.sorted = [...this.rows.values()].sort((a, b) => ConversationList.before(a.key, b.key));
    let at = this.list.firstElementChild;
    for (const row of this.sorted) {  // move only the rows that are out of place
      if (row.li === at) at = at.nextElementSibling;
      else this.list.insertBefore(row.li, at);
    }
  }

  count() {
    const counts = {};
    for (const service of this.services) counts[service] = { waiting: 0, active: 0 };
    for (const { data } of this.rows.values()) {
      counts[data.service] ??= { waiting: 0, active: 0 };
      counts[data.service][data.status === "waiting" ? "waiting" : "active"] += 1;
    }
    const text = Object.entries(counts)
      .map(([service, n]) => `${SERVICES[service] || service} : ${n.waiting} en attente, ${n.active} en cours`).join(" · ");
    if (this.counts.textContent !== text) this.counts.textContent = text || "Aucune conversation ouverte.";
  }
}
