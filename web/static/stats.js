// The /stats page: the figures of a period as tables, with inline SVG charts of the same numbers.
"use strict";

const SERVICES = { parcoursup: "Parcoursup", monmaster: "Mon Master", moel: "Mon orientation en ligne", all: "Tous" };
const OUTCOMES = { sent: "Envoyés tels quels", edited: "Modifiés", rejected: "Rejetés", undecided: "Sans décision" };
const figures = document.getElementById("figures");
const state = document.getElementById("etat");

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

const number = (n) => (n === null || n === undefined ? "—" : Number(n).toLocaleString("fr-FR"));
const percent = (x) => (x === null || x === undefined ? "—" : (100 * x).toLocaleString("fr-FR", { maximumFractionDigits: 1 }) + " %");
function duration(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 60) return Math.round(seconds) + " s";
  if (seconds < 3600) return (seconds / 60).toLocaleString("fr-FR", { maximumFractionDigits: 1 }) + " min";
  return (seconds / 3600).toLocaleString("fr-FR", { maximumFractionDigits: 1 }) + " h";
}

// A table with a caption; `columns`: [header, (row) => cell text, numeric?]
function table(caption, columns, rows) {
  const head = el("tr", {}, ...columns.map(([title, , numeric]) => el("th", { scope: "col", class: numeric ? "nombre" : "" }, title)));
  const body = rows.map((row) => el("tr", {}, ...columns.map(([, cell, numeric], i) =>
    i === 0 ? el("th", { scope: "row" }, cell(row)) : el("td", { class: numeric ? "nombre" : "" }, cell(row)))));
  const wrapper = el("div", { class: "fr-table fr-table--no-caption staff-table" },
    el("table", {}, el("caption", {}, caption), el("thead", {}, head), el("tbody", {}, ...body)));
  return wrapper;
}

// Horizontal bars: the chart is an image described by its title; the table next to it holds the figures.
function bars(title, items, format = number) {
  const ns = "http://www.w3.org/2000/svg";
  const max = Math.max(1, ...items.map(([, value]) => value || 0));
  const rowHeight = 22, labelWidth = 220, width = 640;
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${items.length * rowHeight + 10}`);
  svg.setAttribute("class", "chart");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", title + " (les chiffres sont dans le tableau qui suit)");
  items.forEach(([label, value], i) => {
    const y = i * rowHeight + 5;
    const text = document.createElementNS(ns, "text");
    text.setAttribute("x", labelWidth - 6); text.setAttribute("y", y + 14);
    text.setAttribute("text-anchor", "end"); text.setAttribute("class", "chart-label");
    text.textContent = label;
    const rect = document.createElementNS(ns, "rect");
    rect.setAttribute("x", labelWidth); rect.setAttribute("y", y + 3);
    rect.setAttribute("height", rowHeight - 8);
    rect.setAttribute("width", Math.max(0, ((value || 0) / max) * (width - labelWidth - 60)));
    rect.setAttribute("class", "chart-bar");
    const count = document.createElementNS(ns, "text");
    count.setAttribute("x", labelWidth + Math.max(0, ((value || 0) / max) * (width - labelWidth - 60)) + 4);
    count.setAttribute("y", y + 14); count.setAttribute("class", "chart-label");
    count.textContent = format(value);
    svg.append(text, rect, count);
  });
  return svg;
}

// Columns over time (days or weeks): one bar per period, tchat and offline stacked.
function columns(title, rows) {
  const ns = "http://www.w3.org/2000/svg";
  const width = 640, height = 160, step = width / Math.max(1, rows.length);
  const max = Math.max(1, ...rows.map((r) => r.chat + r.offline));
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height + 20}`);
  svg.setAttribute("class", "chart");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", title + " (les chiffres sont dans le tableau qui suit)");
  rows.forEach((row, i) => {
    let top = height;
    for (const [key, css] of [["chat", "chart-bar"], ["offline", "chart-bar-alt"]]) {
      const h = (row[key] / max) * (height - 10);
      const rect = document.createElementNS(ns, "rect");
      rect.setAttribute("x", i * step + step * 0.1); rect.setAttribute("width", Math.max(1, step * 0.8));
      rect.setAttribute("y", top - h); rect.setAttribute("height", h); rect.setAttribute("class", css);
      svg.append(rect);
      top -= h;
    }
  });
  const axis = document.createElementNS(ns, "line");
  axis.setAttribute("x1", 0); axis.setAttribute("x2", width); axis.setAttribute("y1", height); axis.setAttribute("y2", height);
  axis.setAttribute("class", "chart-axis");
  svg.append(axis);
  return svg;
}

function section(title, ...content) {
  return el("section", { class: "fr-mb-6w" }, el("h2", {}, title), ...content);
}

function render(stats) {
  figures.replaceChildren();
  const c = stats.contacts;
  figures.append(section("Contacts par canal",
    table("Contacts par canal", [["Canal", (r) => r[0]], ["Contacts", (r) => r[1], true]],
      [["Tchat (conversations)", number(c.chat)], ["Formulaire hors ligne (demandes)", number(c.offline)],
       ["Téléphone", "non mesuré"]]),
    el("p", { class: "fr-text--sm" }, stats.phone),
    bars("Contacts par service", stats.contacts_by_service.map((r) => [SERVICES[r.service] || r.service, r.chat + r.offline])),
    table("Contacts par service", [["Service", (r) => SERVICES[r.service] || r.service], ["Tchat", (r) => number(r.chat), true],
      ["Hors ligne", (r) => number(r.offline), true]], stats.contacts_by_service)));

  const weekly = stats.contacts_by_week;
  figures.append(section("Contacts par semaine",
    columns("Contacts par semaine, tchat et hors ligne empilés", weekly),
    table("Contacts par semaine (semaine commençant le)", [["Semaine du", (r) => r.day], ["Tchat", (r) => number(r.chat), true],
      ["Hors ligne", (r) => number(r.offline), true]], weekly),
    el("details", {}, el("summary", {}, "Contacts par jour"),
      table("Contacts par jour", [["Jour", (r) => r.day], ["Tchat", (r) => number(r.chat), true],
        ["Hors ligne", (r) => number(r.offline), true]], stats.contacts_by_day))));

  const times = Object.keys(stats.waiting).map((service) => ({ service, w: stats.waiting[service], h: stats.handling[service] || {} }));
  figures.append(section("Temps d'attente et de traitement",
    table("Temps d'attente (premier message → première réponse) et de traitement (→ clôture)", [
      ["Service", (r) => SERVICES[r.service] || r.service], ["Conversations mesurées", (r) => number(r.w.count), true],
      ["Attente médiane", (r) => duration(r.w.p50), true], ["Attente 90e centile", (r) => duration(r.w.p90), true],
      ["Traitement médian", (r) => duration(r.h.p50), true], ["Traitement 90e centile", (r) => duration(r.h.p90), true]], times),
    ...stats.notes.map((note) => el("p", { class: "fr-text--sm" }, note))));

  figures.append(section("Brouillons de l'assistant",
    bars("Part des brouillons rejetés par service", stats.drafts_by_service.map((r) => [SERVICES[r.service] || r.service,
      Math.round(100 * (r.rejected_share || 0))]), (n) => `${n} %`),
    table("Décisions des conseillers par service", [["Service", (r) => SERVICES[r.service] || r.service],
      ...Object.entries(OUTCOMES).map(([key, label]) => [label, (r) => number(r[key]), true]),
      ["Part rejetée", (r) => percent(r.rejected_share), true]], stats.drafts_by_service),
    table("Sources les plus rejetées (les fiches à réécrire)", [["Source", (r) => r.title ? `${r.title} (${r.doc_id})` : r.doc_id],
      ["Décidés", (r) => number(r.decided), true], ["Tels quels", (r) => number(r.sent), true],
      ["Modifiés", (r) => number(r.edited), true], ["Rejetés", (r) => number(r.rejected), true],
      ["Part rejetée", (r) => percent(r.rejected_share), true]], stats.drafts_by_source),
    el("p", {}, `Abstention : ${percent(stats.abstention.rate)} des brouillons (${number(stats.abstention.abstained)} sur ${number(stats.abstention.drafts)}) : l'assistant n'a pas trouvé de réponse validée.`)));

  const r = stats.ratings;
  figures.append(section("Avis des personnes",
    el("p", {}, `${number(r.count)} avis, note moyenne ${r.average === null ? "—" : r.average.toLocaleString("fr-FR")} sur 5.`),
    bars("Répartition des notes", Object.entries(r.by_score).map(([score, n]) => [`${score} sur 5`, n])),
    table("Notes par service", [["Service", (row) => SERVICES[row.service] || row.service], ["Avis", (row) => number(row.count), true],
      ["Moyenne", (row) => row.average === null ? "—" : row.average.toLocaleString("fr-FR"), true],
      ...[1, 2, 3, 4, 5].map((s) => [`${s}/5`, (row) => number(row.by_score[s]), true])], r.by_service)));

  figures.append(section("Académies et profils (quand la personne l'a indiqué)",
    bars("Conversations par académie", stats.academies.map((a) => [a.academie, a.count])),
    table("Conversations par académie", [["Académie", (a) => a.academie], ["Conversations", (a) => number(a.count), true]], stats.academies),
    bars("Conversations par profil", stats.audiences.map((a) => [a.label, a.count])),
    table("Conversations par profil", [["Profil", (a) => a.label], ["Conversations", (a) => number(a.count), true]], stats.audiences)));
}

async function load() {
  const form = new FormData(document.getElementById("periode"));
  const query = new URLSearchParams([...form.entries()].filter(([, v]) => v));
  document.getElementById("export").href = "/stats/export.csv?" + query;
  state.textContent = "Calcul des statistiques…";
  const response = await fetch("/stats/data?" + query, { credentials: "same-origin" });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    state.textContent = body.detail || "Les statistiques n'ont pas pu être calculées.";
    return;
  }
  render(body);
  state.textContent = `Statistiques du ${body.period.from} au ${body.period.to}.`;
}

const today = new Date();
const monthAgo = new Date(today.getTime() - 29 * 86400000);
document.getElementById("au").value = today.toISOString().slice(0, 10);
document.getElementById("du").value = monthAgo.toISOString().slice(0, 10);
document.getElementById("periode").addEventListener("submit", (event) => { event.preventDefault(); load(); });
load();
