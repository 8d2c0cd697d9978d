"""Reading pages the way a browser's parser does, to check what hostile text became.

``html.parser`` tokenizes like a browser where it matters here: a ``<script>``
element's text runs to the first ``</script``, attributes are unescaped, and any
element or event-handler attribute the text managed to open shows up as one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""


@dataclass
class Page:
    """What a page parsed into: its elements, its scripts with their text, and its
    visible text (outside scripts and styles)."""

    elements: list[Element] = field(default_factory=list)
    scripts: list[Element] = field(default_factory=list)
    text: str = ""

    def json_block(self, element_id: str) -> Any:
        """The parsed content of ``<script type="application/json" id=...>``."""
        found = [s for s in self.scripts if s.attrs.get("id") == element_id]
        assert len(found) == 1, f"{len(found)} elements with id {element_id!r}"
        assert found[0].attrs.get("type") == "application/json"
        return json.loads(found[0].text)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._open: Element | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.page.elements.append(element)
        if tag in ("script", "style"):
            self._open = element
            if tag == "script":
                self.page.scripts.append(element)

    def handle_endtag(self, tag: str) -> None:
        if self._open is not None and tag == self._open.tag:
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.text += data
        else:
            self._text.append(data)

    def close(self) -> None:
        super().close()
        self.page.text = "".join(self._text)


def parse(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.page


WIDGET_SCRIPTS = ("/consentkit/boot.js", "/consentkit/widget.js")


def assert_inert(page: Page, *, allowed_script_src: tuple[str, ...] = WIDGET_SCRIPTS) -> None:
    """No element a hostile text could have opened: no event handler, no javascript:
    URL, no executable script but the widget's, no image from ``x``, no svg."""
    for element in page.elements:
        handlers = [name for name in element.attrs if name.startswith("on")]
        assert not handlers, f"<{element.tag}> has event handler attributes {handlers}"
        for name in ("href", "src", "action", "formaction"):
            value = element.attrs.get(name, "").strip().lower()
            assert not value.startswith(("javascript:", "data:text/html")), f"<{element.tag} {name}={value!r}>"
        assert element.tag not in ("svg", "iframe", "object", "embed", "base"), f"a <{element.tag}> appeared"
        assert not (element.tag == "img" and element.attrs.get("src") == "x"), "an <img src=x> appeared"
    for script in page.scripts:
        kind = script.attrs.get("type", "")
        if kind == "application/json":
            try:
                json.loads(script.text)
            except ValueError:
                raise AssertionError(f"a JSON block was closed early: {script.text[:200]!r}") from None
        elif kind == "text/plain":
            continue  # a gated tag, inert until consent
        else:
            assert script.attrs.get("src", "").startswith(allowed_script_src) and not script.text.strip(), (
                f"an executable script: {script}")
