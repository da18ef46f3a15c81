// Counsellors' answers as safe paragraphs, lists and links: a small Markdown subset turned into
// HTML from escaped text, then sanitised by DOMPurify with an allow-list (defence in depth: the
// text is escaped before any tag is made, and only these tags and http(s)/mailto/tel links survive).
import DOMPurify from "/vendor/purify.es.mjs";

const ALLOWED = { ALLOWED_TAGS: ["p", "ul", "ol", "li", "a", "strong", "em", "br"], ALLOWED_ATTR: ["href"],
                  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|tel:)/i, RETURN_DOM_FRAGMENT: true };
const LINK = /\[([^\]\n]{1,300})\]\(\s*([^)\s]{1,2000})\s*\)|\b(https?:\/\/[^\s<]+[^\s<.,;:!?)»"'])/g;
const SAFE_URL = /^(?:https?:\/\/|mailto:|tel:)/i;

// Every link opens in a new tab without handing it this page.
DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A") {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  }
});

function escape(text) {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

// One line of text: links ([titre](url) or a bare address), **gras**, *italique*; the rest escaped.
function inline(line) {
  let html = "";
  let last = 0;
  for (const match of line.matchAll(LINK)) {
    html += emphasis(escape(line.slice(last, match.index)));
    const [, label, target, bare] = match;
    const url = (target ?? bare).replace(/&amp;/g, "&");
    html += SAFE_URL.test(url) ? `<a href="${escape(url)}">${emphasis(escape(label ?? bare))}</a>` : emphasis(escape(label ?? bare));
    last = match.index + match[0].length;
  }
  return html + emphasis(escape(line.slice(last)));
}

function emphasis(escaped) {
  return escaped.replace(/\*\*(?=\S)(.+?)\*\*/g, "<strong>$1</strong>").replace(/(^|[\s(])\*(?=\S)([^*]+?)\*/g, "$1<em>$2</em>");
}

const BULLET = /^\s*(?:[-*•])\s+(.*)$/;
const NUMBERED = /^\s*\d{1,3}[.)]\s+(.*)$/;
const HEADING = /^\s{0,3}#{1,6}\s+(.*)$/;

// Blocks: paragraphs (a blank line between them, line breaks kept), bullet and numbered lists.
export function markdownToHtml(text) {
  const html = [];
  let paragraph = [];
  let list = null; // { tag, items }
  const flushParagraph = () => { if (paragraph.length) html.push(`<p>${paragraph.map(inline).join("<br>")}</p>`); paragraph = []; };
  const flushList = () => { if (list) html.push(`<${list.tag}>${list.items.map((i) => `<li>${inline(i)}</li>`).join("")}</${list.tag}>`); list = null; };
  for (const line of text.replace(/\r\n?/g, "\n").split("\n")) {
    const bullet = line.match(BULLET);
    const numbered = bullet ? null : line.match(NUMBERED);
    if (bullet || numbered) {
      flushParagraph();
      const tag = bullet ? "ul" : "ol";
      if (list && list.tag !== tag) flushList();
      list ??= { tag, items: [] };
      list.items.push((bullet || numbered)[1]);
    } else if (!line.trim()) {
      flushParagraph();
      flushList();
    } else {
      flushList();
      const heading = line.match(HEADING);
      paragraph.push(heading ? `**${heading[1]}**` : line);
    }
  }
  flushParagraph();
  flushList();
  return html.join("");
}

// A fragment ready to append: never parsed from the raw text, always through the sanitiser.
export function renderAnswer(text) {
  return DOMPurify.sanitize(markdownToHtml(text), ALLOWED);
}
