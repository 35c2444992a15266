"""A crawler that signs in as each role, finds every form and link, and sends hostile input.

Pages come from the permission matrix (every endpoint, with the roles allowed through
it); forms and query arguments are discovered by parsing each page with html.parser.
Every response below 500 passes: a refusal (400, 403, 404, a message next to a field)
is a correct answer to hostile input, a 500 never is.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from clerkship.demo.pdf import make_pdf

# Each class of hostile input, as the text a field or query argument carries.
HOSTILE = {
    "empty": "",
    "long": "x" * 10_000,
    "control": "a\x01\x08\x1b\x7f\x85b",
    "nul": "a\x00b",
    "line_breaks": "first\r\nsecond\nthird\u2028",
    "huge_number": "9" * 30,
    "negative": "-1",
    "id_23_digits": "1" * 23,
    "not_a_number": "²",
    "year_one": "0001-01-01",
    "bad_date": "2027-13-45",
    "unknown_choice": "no-such-choice",
}
MISSING = "missing"  # the field is left out of the submission altogether
CLASSES = [*HOSTILE, MISSING]
HOSTILE_FILES = {
    "html_with_pdf": (b"<html><script>alert(1)</script></html>" + make_pdf(["x"]), "cv.html"),
    "empty_file": (b"", "empty.pdf"),
}
# Query arguments every page is tried with, besides those its own links and forms use.
COMMON_ARGS = ("page", "cycle", "state", "block", "q", "sort", "next")


@dataclass(frozen=True)
class UploadedFile:
    """A file to send in a multipart form (opened afresh for every request)."""

    content: bytes
    filename: str

    def open(self) -> tuple[io.BytesIO, str]:
        return io.BytesIO(self.content), self.filename


@dataclass
class FormField:
    name: str
    kind: str  # input type, "select", "textarea" or "button"
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class FoundForm:
    action: str
    method: str
    multipart: bool
    fields: list[FormField] = field(default_factory=list)

    @property
    def key(self) -> tuple:
        return (self.method, urlsplit(self.action).path, tuple(sorted(self.names)))

    @property
    def names(self) -> list[str]:
        return sorted({f.name for f in self.fields if f.kind != "button"})


class PageParser(HTMLParser):
    """The forms of a page and the query arguments of its links."""

    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms: list[FoundForm] = []
        self.links: list[str] = []
        self._form: FoundForm | None = None
        self._select: FormField | None = None
        self._textarea: FormField | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.options.append(value)
            if "selected" in a or len(self._select.options) == 1:
                self._select.value = value  # the selected option, else the first
            return
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.url, a["href"]))
        if tag == "form":
            self._form = FoundForm(
                urljoin(self.url, a.get("action") or self.url),
                (a.get("method") or "get").upper(),
                a.get("enctype") == "multipart/form-data",
            )
            self.forms.append(self._form)
        if self._form is None or not a.get("name"):
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                self._form.fields.append(
                    FormField(a["name"], kind + "-unchecked", a.get("value", "on"))
                )
            elif kind not in ("submit", "image", "reset"):
                self._form.fields.append(FormField(a["name"], kind, a.get("value", "")))
            else:
                self._form.fields.append(FormField(a["name"], "button", a.get("value", "")))
        elif tag == "button":
            self._form.fields.append(FormField(a["name"], "button", a.get("value", "")))
        elif tag == "select":
            self._select = FormField(a["name"], "select")
            self._form.fields.append(self._select)
        elif tag == "textarea":
            self._textarea = FormField(a["name"], "textarea")
            self._form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def parse_page(url: str, html: str) -> tuple[list[FoundForm], list[str]]:
    """The forms on the page and the query-argument names its links to itself use."""
    parser = PageParser(url)
    parser.feed(html)
    path = urlsplit(url).path
    names = sorted(
        {
            name
            for link in parser.links
            if urlsplit(link).path == path
            for name, _v in parse_qsl(urlsplit(link).query, keep_blank_values=True)
        }
    )
    return parser.forms, names


def base_data(form: FoundForm) -> list[tuple[str, object]]:
    """What a person submitting the form unchanged would send (first button included)."""
    data: list[tuple[str, object]] = []
    seen_radio: set[str] = set()
    button_sent = False
    for f in form.fields:
        if f.kind == "button":
            if not button_sent:
                data.append((f.name, f.value))
                button_sent = True
        elif f.kind == "radio-unchecked" or f.kind == "checkbox-unchecked":
            continue
        elif f.kind == "file":
            data.append((f.name, UploadedFile(make_pdf(["crawler"]), "crawler.pdf")))
        elif f.kind == "radio":
            seen_radio.add(f.name)
            data.append((f.name, f.value))
        else:
            data.append((f.name, f.value))
    # A radio group with nothing checked: choose its first option.
    for f in form.fields:
        if f.kind == "radio-unchecked" and f.name not in seen_radio:
            seen_radio.add(f.name)
            data.append((f.name, f.value))
    return data


def with_hostile(data, names: set[str], hostile_class: str):
    """data with every field in names given the hostile value (or left out)."""
    out = []
    for name, value in data:
        if name not in names:
            out.append((name, value))
        elif hostile_class == MISSING:
            continue
        elif isinstance(value, UploadedFile):  # a file: send a hostile file instead
            files = sorted(HOSTILE_FILES)
            content, filename = HOSTILE_FILES[files[CLASSES.index(hostile_class) % len(files)]]
            out.append((name, UploadedFile(content, filename)))
        else:
            out.append((name, HOSTILE[hostile_class]))
    present = {name for name, _v in data}
    if hostile_class != MISSING:
        out += [(name, HOSTILE[hostile_class]) for name in sorted(names - present)]
    return out


@dataclass(frozen=True)
class Attempt:
    """One request the crawler sends: who, how, where, with what."""

    role: str
    method: str
    url: str
    data: tuple = ()
    multipart: bool = False
    label: str = ""


def form_attempts(
    role: str, form: FoundForm, *, full: bool, rng: random.Random
) -> Iterator[Attempt]:
    """Hostile submissions of one form: in the sample, every class once (each on a field in
    turn, the others left as a person would send them) and every class on all fields at
    once; in the full crawl, every class on every field."""
    base = base_data(form)
    names = form.names
    classes = list(CLASSES)
    if full:
        pairs = [(n, c) for n in names for c in classes]
    else:
        offset = rng.randrange(max(len(names), 1))
        pairs = (
            [(names[(i + offset) % len(names)], c) for i, c in enumerate(classes)] if names else []
        )
    for name, hostile_class in pairs:
        yield _attempt(
            role, form, with_hostile(base, {name}, hostile_class), f"{name}={hostile_class}"
        )
    for hostile_class in classes if full else [rng.choice(classes)]:
        yield _attempt(
            role, form, with_hostile(base, set(names), hostile_class), f"*={hostile_class}"
        )


def _attempt(role: str, form: FoundForm, data, label: str) -> Attempt:
    if form.method == "GET":
        split = urlsplit(form.action)
        query = urlencode([(k, v) for k, v in data if isinstance(v, str)])
        return Attempt(role, "GET", f"{split.path}?{query}", label=label)
    return Attempt(role, "POST", form.action, tuple(data), form.multipart, label)


def query_attempts(role: str, url: str, names: list[str], *, full: bool, rng: random.Random):
    """The page with hostile query arguments: its own and the common ones."""
    split = urlsplit(url)
    kept = parse_qsl(split.query, keep_blank_values=True)
    all_names = sorted({*names, *COMMON_ARGS})
    classes = [c for c in CLASSES if c != MISSING]
    if full:
        pairs = [(n, c) for n in all_names for c in classes]
    else:  # a third of the classes on each page, in turn, each on an argument drawn at random
        start = rng.randrange(3)
        classes = classes[start::3]
        pairs = [(rng.choice(all_names), c) for c in classes]
    for name, hostile_class in pairs:
        query = urlencode([*[(k, v) for k, v in kept if k != name], (name, HOSTILE[hostile_class])])
        yield Attempt(role, "GET", f"{split.path}?{query}", label=f"?{name}={hostile_class}")
