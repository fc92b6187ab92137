"""Turn a valid source model into the resolved document every renderer reads.

Resolving numbers the challenges, gives every block a stable id (so anchors,
answer boxes and stored answers keep their keys from build to build), joins
each quiz statement to its answer, indexes ids for cross-references, and
splits the workbook into pages. Renderers never number or join anything
themselves, so every format agrees.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Mapping

from . import model
from .chunk import Page, chunk_pages
from .publish import DEFAULT_PUBLISH, PublishConfig

if TYPE_CHECKING:
    from .brand import Brand

BLOCK_LABELS: Mapping[str, str] = MappingProxyType({
    "guidance": "Guidance",
    "challenge": "Challenge",
    "case-study": "Case study",
    "tip": "Hints and tips",
    "useful-links": "Useful links",
})


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if not slug or not slug[0].isalpha():
        slug = f"x-{slug}" if slug else "x"
    return slug[:60].rstrip("-")


@dataclass(frozen=True)
class Document:
    """A resolved workbook: the model plus numbering, joins, an id index and pages."""

    workbook: model.Workbook
    challenge_numbers: Mapping[str, int]
    answers: Mapping[str, model.Answer]
    quizzes: Mapping[str, model.Quiz]
    targets: Mapping[str, object]
    pages: tuple[Page, ...]
    page_of: Mapping[str, str] = field(repr=False)
    nodes: tuple[object, ...] = field(default=(), repr=False)  # every node, in document order
    # The workbook's build settings (publish.json beside the source), for the renderers that have any.
    publish: PublishConfig = DEFAULT_PUBLISH

    @property
    def title(self) -> str:
        return model.plain_text(self.workbook.meta.title)

    def challenge_label(self, challenge: model.Challenge) -> str:
        return f"Challenge {self.challenge_numbers[challenge.id]}"

    def block_label(self, node: model.Box | model.Challenge) -> str:
        """The visible label of a typed block: "Guidance", "Challenge 3", "Hints and tips"..."""
        if isinstance(node, model.Challenge):
            return self.challenge_label(node)
        return BLOCK_LABELS[node.kind]

    def answer_for(self, statement: model.Statement) -> model.Answer:
        return self.answers[statement.id]

    def target_title(self, target_id: str) -> str:
        """The text a reference to `target_id` shows when it has no text of its own."""
        node = self.targets[target_id]
        title = getattr(node, "title", None) or getattr(node, "caption", None)
        text = model.plain_text(title) if title else ""
        if isinstance(node, model.Challenge):
            return f"{self.challenge_label(node)} – {text}" if text else self.challenge_label(node)
        return text or target_id

    def all_questions(self) -> tuple[model.Question, ...]:
        return tuple(node for node in self.nodes if isinstance(node, model.Question))

    def all_statements(self) -> tuple[model.Statement, ...]:
        return tuple(node for node in self.nodes if isinstance(node, model.Statement))


def resolve(workbook: model.Workbook, publish: PublishConfig = DEFAULT_PUBLISH) -> Document:
    """Resolve a workbook that has passed validation (its rules guarantee the joins succeed)."""
    workbook = _assign_ids(workbook)
    numbers: dict[str, int] = {}
    quizzes: dict[str, model.Quiz] = {}
    answers: dict[str, model.Answer] = {}
    targets: dict[str, object] = {}
    nodes = tuple(model.walk(workbook))
    for node in nodes:
        node_id = getattr(node, "id", None)
        if node_id and not isinstance(node, model.Workbook):
            targets.setdefault(node_id, node)
        if isinstance(node, model.Challenge):
            numbers[node.id] = len(numbers) + 1
        elif isinstance(node, model.Quiz):
            quizzes[node.id] = node
        elif isinstance(node, model.QuizAnswers):
            for answer in node.answers:
                answers.setdefault(answer.statement, answer)
    pages, page_of = chunk_pages(workbook)
    return Document(
        workbook=workbook,
        challenge_numbers=MappingProxyType(numbers),
        answers=MappingProxyType(answers),
        quizzes=MappingProxyType(quizzes),
        targets=MappingProxyType(targets),
        pages=pages,
        page_of=MappingProxyType(page_of),
        nodes=nodes,
        publish=publish,
    )


def _assign_ids(workbook: model.Workbook) -> model.Workbook:
    """Give boxes, subsections and questions without an id a stable one derived from where they are."""
    taken = {getattr(node, "id", None) for node in model.walk(workbook)} - {None}

    def fresh(base: str) -> str:
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        taken.add(candidate)
        return candidate

    def fix_block(node, parent_id: str):
        if isinstance(node, model.Box):
            node_id = node.id or fresh(f"{parent_id}-{node.kind}")
            return replace(node, id=node_id, blocks=tuple(fix_block(child, node_id) for child in node.blocks))
        if isinstance(node, model.Subsection):
            node_id = node.id or fresh(f"{parent_id}-{slugify(model.plain_text(node.title))}")
            return replace(node, id=node_id, blocks=tuple(fix_block(child, node_id) for child in node.blocks))
        if isinstance(node, model.Challenge):
            items = []
            for number, item in enumerate(node.items, start=1):
                if isinstance(item, model.Question) and item.id is None:
                    item = replace(item, id=fresh(f"{node.id}-q{number}"))
                items.append(item)
            return replace(node, items=tuple(items), intro=tuple(fix_block(child, node.id) for child in node.intro))
        if isinstance(node, model.Section):
            return replace(node, content=tuple(fix_block(child, node.id) for child in node.content))
        return node

    return replace(workbook, sections=tuple(fix_block(section, section.id) for section in workbook.sections))


BRAND_LINKS_ID = "council-links"


def with_brand_links(doc: Document, brand: Brand) -> Document:
    """The document with the council's own links as a Useful links box, placed once for every format.

    The box goes straight after the workbook's last Useful links box (its
    "useful resources"), or at the end of the last section when there is
    none; its title is the council's name. A brand without links, or a
    document that has the box already, comes back unchanged.
    """
    if not brand.links or not doc.workbook.sections:
        return doc
    cached = _BRANDED.get((id(doc), id(brand)))
    # The objects are kept in the entry so their ids cannot be reused while it lives.
    if cached is not None and cached[0] is doc and cached[1] is brand:
        return cached[2]
    branded = _add_brand_links(doc, brand)
    if len(_BRANDED) >= 8:
        del _BRANDED[next(iter(_BRANDED))]
    _BRANDED[(id(doc), id(brand))] = (doc, brand, branded)
    return branded


# A build renders several formats of one document with one brand: the branded document is made
# once. A few entries, because a renderer may pass on the branded document (which maps to itself).
_BRANDED: dict[tuple[int, int], tuple[Document, Brand, Document]] = {}


def _add_brand_links(doc: Document, brand: Brand) -> Document:
    paragraphs = []
    for link in brand.links:
        content: list[model.Inline] = [model.Link(link.href, (model.Text(link.title),))]
        if link.description:
            content.append(model.Text(f" – {link.description}"))
        paragraphs.append(model.Paragraph(tuple(content)))
    title = (model.Text(brand.council_name),)
    if any(isinstance(node, model.Box) and node.kind == "useful-links" and node.title == title and node.blocks == tuple(paragraphs)
           for node in doc.targets.values()):
        return doc
    box_id, n = BRAND_LINKS_ID, 2
    while box_id in doc.targets:
        box_id, n = f"{BRAND_LINKS_ID}-{n}", n + 1
    box = model.Box("useful-links", tuple(paragraphs), title=title, id=box_id)
    sections = _insert_after_last_useful_links(doc.workbook.sections, box)
    if sections is None:
        last = doc.workbook.sections[-1]
        sections = (*doc.workbook.sections[:-1], replace(last, content=(*last.content, box)))
    return resolve(replace(doc.workbook, sections=sections), doc.publish)


def _insert_after_last_useful_links(sections: tuple[model.Section, ...], box: model.Box) -> tuple[model.Section, ...] | None:
    """`sections` with `box` after the last Useful links box directly in a section, or None if there is none."""
    for index in range(len(sections) - 1, -1, -1):
        section = sections[index]
        content = list(section.content)
        for position in range(len(content) - 1, -1, -1):
            child = content[position]
            if isinstance(child, model.Section):
                inner = _insert_after_last_useful_links((child,), box)
                if inner is not None:
                    content[position] = inner[0]
                    break
            elif isinstance(child, model.Box) and child.kind == "useful-links":
                content.insert(position + 1, box)
                break
        else:
            continue
        return (*sections[:index], replace(section, content=tuple(content)), *sections[index + 1:])
    return None
