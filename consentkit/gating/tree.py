"""The part of the HTML tree builder (HTML Standard 13.2.6) the gate needs to read
tokens as a browser does: whether a start tag is processed by the HTML rules (where
``<style>``, ``<script>``, ``<textarea>``... switch the tokenizer to raw text) or by
the rules for foreign content (``<svg>``, ``<math>``: no raw text), and where
``<template>`` content (inert) begins and ends.

It keeps the stack of open elements from the first ``<template>``, ``<svg>`` or
``<math>`` on: foreign elements with their namespace, HTML integration points
(``foreignObject``, ``desc``, SVG ``title``, ``annotation-xml`` with an HTML
encoding) and MathML text integration points (``mi``, ``mo``, ``mn``, ``ms``,
``mtext``), the tags that break out of foreign content (``<p>``, ``<div>``,
``<img>``... and ``</p>``, ``</br>``), and the HTML elements opened inside an
integration point, by name, with the end tags that close them (a ``<p>``, ``<li>``,
``<dd>`` or ``<dt>`` closing the one before, and special elements that an end tag
does not cross). Not modelled: the table and formatting-element repairs (adoption
agency) inside an integration point.
"""

from __future__ import annotations

from typing import Final

HTML: Final = 0
SVG: Final = 1
MATHML: Final = 2

_BREAKOUT = frozenset(
    ["b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt", "em", "embed", "h1", "h2", "h3", "h4", "h5", "h6", "head", "hr", "i", "img", "li", "listing", "menu", "meta", "nobr", "ol", "p", "pre", "ruby", "s", "small", "span", "strong", "strike", "sub", "sup", "table", "tt", "u", "ul", "var"]
)
_MATHML_TEXT = frozenset(("mi", "mo", "mn", "ms", "mtext"))
_SVG_HTML_POINTS = frozenset(("foreignobject", "desc", "title"))
_VOID = frozenset(["area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input", "keygen", "link", "meta", "param", "source", "track", "wbr"])
# Raw text elements: pushed and popped by their own end tag at once (not modelled).
_RAW_TEXT = frozenset(["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "plaintext"])
_CLOSES_P = frozenset(
    ["address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div", "dl", "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "main", "menu", "nav", "ol", "p", "search", "section", "summary", "ul", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "listing", "form", "table", "hr", "xmp"]
)
_SPECIAL = frozenset(
    ["address", "applet", "area", "article", "aside", "base", "basefont", "bgsound", "blockquote", "body", "br", "button", "caption", "center", "col", "colgroup", "dd", "details", "dir", "div", "dl", "dt", "embed", "fieldset", "figcaption", "figure", "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup", "hr", "html", "iframe", "img", "input", "keygen", "li", "link", "listing", "main", "marquee", "menu", "meta", "nav", "noembed", "noframes", "noscript", "object", "ol", "p", "param", "plaintext", "pre", "script", "search", "section", "select", "source", "style", "summary", "table", "tbody", "td", "template", "textarea", "tfoot", "th", "thead", "title", "tr", "track", "ul", "wbr", "xmp"]
)


class OpenElements:
    """The stack of open elements, from the first template, svg or math on."""

    def __init__(self) -> None:
        # (lowered name, namespace, integration point: 0 none, 1 HTML, 2 MathML text)
        self.stack: list[tuple[str, int, int]] = []
        self.templates = 0
        self.foreign = 0  # foreign elements on the stack

    @property
    def in_foreign(self) -> bool:
        """Whether every tag now changes the stack (so each must be read)."""
        return self.foreign > 0

    def _push(self, name: str, ns: int, point: int = 0) -> None:
        self.stack.append((name, ns, point))
        self.templates += name == "template" and ns == HTML
        self.foreign += ns != HTML

    def _pop(self) -> None:
        name, ns, _ = self.stack.pop()
        self.templates -= name == "template" and ns == HTML
        self.foreign -= ns != HTML

    def open_foreign(self, names: tuple[str, ...]) -> None:
        """Elements opened in the current node's namespace, which is foreign (what the
        C scanner passed over in foreign content)."""
        ns = self.stack[-1][1]
        for name in names:
            self._push(name, ns)

    def start(self, name: str, self_closing: bool, html_encoding: bool = False, font_breaks: bool = False) -> bool:
        """A start tag: True when the HTML rules process it (raw text elements then
        switch the tokenizer), False when the foreign content rules do."""
        if self.stack:
            top_name, top_ns, point = self.stack[-1]
            html_rules = (
                top_ns == HTML or point == 1
                or (point == 2 and name not in ("mglyph", "malignmark"))
                or (top_name == "annotation-xml" and name == "svg")
            )
            if not html_rules:
                if name in _BREAKOUT or font_breaks:
                    while self.stack and self.stack[-1][1] != HTML and not self.stack[-1][2]:
                        self._pop()
                    return self.start(name, self_closing, html_encoding, font_breaks)
                if not self_closing:
                    self._push(name, top_ns, self._point(name, top_ns, html_encoding))
                return False
        if name in ("svg", "math"):
            if not self_closing:
                self._push(name, SVG if name == "svg" else MATHML)
        elif name == "template":
            self._push(name, HTML)
        elif self.foreign and name not in _VOID and name not in _RAW_TEXT:
            if name in _CLOSES_P:
                self._close_html("p", stop_at_special=True)
            elif name == "li":
                self._close_html("li", stop_at_special=True)
            elif name in ("dd", "dt"):
                self._close_html("dd", stop_at_special=True) or self._close_html("dt", stop_at_special=True)
            self._push(name, HTML)
        return True

    @staticmethod
    def _point(name: str, ns: int, html_encoding: bool) -> int:
        if ns == SVG and name in _SVG_HTML_POINTS:
            return 1
        if ns == MATHML and name == "annotation-xml" and html_encoding:
            return 1
        if ns == MATHML and name in _MATHML_TEXT:
            return 2
        return 0

    def end(self, name: str) -> list[str]:
        """An end tag. Returns the end tags to write before it when the browser's
        reading depends on elements opened before the model's first one (an end tag
        in foreign content that names none of the open foreign elements may close an
        HTML ancestor, and with it the whole svg): written out, they close the
        foreign elements either way."""
        if not self.stack:
            return []
        if self.stack[-1][1] != HTML:
            if name in ("p", "br"):
                while self.stack and self.stack[-1][1] != HTML and not self.stack[-1][2]:
                    self._pop()
                self._end_html(name)
                return []
            for i in range(len(self.stack) - 1, -1, -1):
                node, _ns, _ = self.stack[i]
                if node == name:
                    while len(self.stack) > i:
                        self._pop()
                    return []
                if i == 0:
                    closes = [frame[0] for frame in reversed(self.stack)]
                    self.stack.clear()
                    self.templates = self.foreign = 0
                    return closes
                if self.stack[i - 1][1] == HTML:
                    break
        self._end_html(name)
        return []

    def _end_html(self, name: str) -> None:
        if name == "template":
            if self.templates:
                while self.stack[-1] != ("template", HTML, 0):
                    self._pop()
                self._pop()
            return
        self._close_html(name, stop_at_special=True)

    def _close_html(self, name: str, stop_at_special: bool) -> bool:
        for i in range(len(self.stack) - 1, -1, -1):
            node, ns, point = self.stack[i]
            if ns == HTML and node == name:
                while len(self.stack) > i:
                    self._pop()
                return True
            if ns == HTML and node == "template":
                return False
            if stop_at_special and ((ns == HTML and node in _SPECIAL) or point):
                return False
        return False
