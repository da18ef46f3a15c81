"""Canned answers: a search result turned into text a counsellor can send to the public as is.

A chunk of the index starts with lines meant for retrieval (the title, « Autres intitulés : »,
« Mots-clés : ») and holds Markdown. What the public reads is the answer only: those lines
dropped, Markdown rendered as plain text (paragraphs and lists kept, emphasis gone, a link's
address written out), and the source's link at the end.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

RETRIEVAL_LINES = ("Autres intitulés :", "Mots-clés :")
_MARKDOWN = MarkdownIt("commonmark")


def canned_answer(passage: str, title: str = "", url: str | None = None) -> str:
    """The answer of a search result, as plain text with its link at the end.

    >>> print(canned_answer("Le CAES\\nMots-clés : caes, aide\\nLe **CAES** aide :\\n- à choisir ;\\n- à s'inscrire.",
    ...                     "Le CAES", "https://www.onisep.fr/caes"))
    Le CAES aide :
    <BLANKLINE>
    - à choisir ;
    - à s'inscrire.
    <BLANKLINE>
    En savoir plus : https://www.onisep.fr/caes
    """
    lines = passage.strip().splitlines()
    if lines and title and lines[0].strip() == title.strip():
        lines = lines[1:]
    body = "\n".join(line for line in lines if not line.lstrip().startswith(RETRIEVAL_LINES))
    text = plain_text(body)
    if url and not re.search(re.escape(url) + r"(?![\w/?#%=&-]|\.\w)", text):  # not already written out, whole
        text = f"{text}\n\nEn savoir plus : {url}" if text else url
    return text


def plain_text(markdown: str) -> str:
    """Markdown as plain text: one blank line between blocks, lists as « - » or « 1. » lines.

    >>> plain_text("# Titre\\n\\nVoir [le site](https://exemple.fr) et __ceci__.\\n\\n1. un\\n2. deux")
    'Titre\\n\\nVoir le site (https://exemple.fr) et ceci.\\n\\n1. un\\n2. deux'
    """
    blocks: list[str] = []
    lists: list[list] = []  # per open list: [ordered, next number]
    prefix = ""
    tight_item = False
    for token in _MARKDOWN.parse(markdown):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append([kind == "ordered_list_open", int(token.attrGet("start") or 1)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            ordered, number = lists[-1]
            indent = "  " * (len(lists) - 1)
            prefix = f"{indent}{number}. " if ordered else f"{indent}- "
            lists[-1][1] = number + 1
            tight_item = True
        elif kind == "inline":
            text = _inline(token.children or [])
            if tight_item:
                blocks.append(prefix + text)
                tight_item = False
            elif lists:  # a second paragraph of a list item: under the item, indented
                blocks.append("  " * len(lists) + text)
            else:
                blocks.append(text)
        elif kind in ("fence", "code_block"):
            blocks.append(token.content.rstrip("\n"))
    # list items follow one another line by line; other blocks are separated by a blank line
    out = ""
    for block, is_item in zip(blocks, [_is_item(b) for b in blocks]):
        if out:
            out += "\n" if is_item and _is_item(out.rsplit("\n", 1)[-1]) else "\n\n"
        out += block
    return out.strip()


def _is_item(line: str) -> bool:
    stripped = line.lstrip()
    head = stripped.split(" ", 1)[0]
    return stripped.startswith("- ") or (head.endswith(".") and head[:-1].isdigit())


def _inline(children: list[Token]) -> str:
    text, links = "", []
    for child in children:
        kind = child.type
        if kind in ("text", "code_inline"):
            text += child.content
        elif kind == "softbreak":
            text += " "
        elif kind == "hardbreak":
            text += "\n"
        elif kind == "image":
            text += child.content
        elif kind == "link_open":
            links.append((str(child.attrGet("href") or ""), len(text)))
        elif kind == "link_close" and links:
            href, start = links.pop()
            label = text[start:]
            if href and href != label and not href.startswith("mailto:" + label):
                text += f" ({href})"
    return text.strip()
