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
from .i18n import N_
from .publish import DEFAULT_PUBLISH, PublishConfig

if TYPE_CHECKING:
    from .editions import Edition
    from .i18n import Language

# In English: pipeline.language.localise puts them in the workbook's language.
# TRANSLATORS: the labels of the typed blocks, shown before each block's title.
BLOCK_LABELS: Mapping[str, str] = MappingProxyType({
    "guidance": N_("Guidance"),
    "challenge": N_("Challenge"),
    "case-study": N_("Case study"),
    "tip": N_("Hints and tips"),
    "useful-links": N_("Useful links"),
})
# The whole label of a numbered challenge, so that a language puts the number where it goes.
# TRANSLATORS: "Challenge 3": put the number where your language wants it.
CHALLENGE_LABEL = N_("Challenge %(number)s")


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
    # Each choice's explanation, by choice id (a choice need not have one).
    choice_answers: Mapping[str, model.ChoiceAnswer] = field(default_factory=lambda: MappingProxyType({}))
    # Set by pipeline.language.localise: the labels in the workbook's language, that Language for
    # the renderers' own words (None: English, as the msgids are), and the other-language editions.
    labels: Mapping[str, str] = field(default_factory=lambda: BLOCK_LABELS, repr=False)
    challenge_labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), repr=False)
    language: Language | None = field(default=None, repr=False)
    editions: tuple[Edition, ...] = ()
    # Blocks whose own text is in another language than the workbook's, by id: the council's
    # links box, in the brand's language (set by pipeline.branding), so pages can mark it.
    text_lang: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), repr=False)

    @property
    def title(self) -> str:
        return model.plain_text(self.workbook.meta.title)

    def challenge_label(self, challenge: model.Challenge) -> str:
        label = self.challenge_labels.get(challenge.id)
        return label if label is not None else CHALLENGE_LABEL % {"number": self.challenge_numbers[challenge.id]}

    def block_label(self, node: model.Box | model.Challenge) -> str:
        """The visible label of a typed block: "Guidance", "Challenge 3", "Hints and tips"..."""
        if isinstance(node, model.Challenge):
            return self.challenge_label(node)
        return self.labels[node.kind]

    def gettext(self, message: str, **variables) -> str:
        """A renderer's own words in the document's language: `_ = doc.gettext; _("Contents")`."""
        if self.language is None:
            return message % variables if variables else message
        return self.language.gettext(message, **variables)

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

    def all_choices(self) -> tuple[model.Choice, ...]:
        return tuple(node for node in self.nodes if isinstance(node, model.Choice))

    def all_checklists(self) -> tuple[model.Checklist, ...]:
        return tuple(node for node in self.nodes if isinstance(node, model.Checklist))

    def all_rating_scales(self) -> tuple[model.RatingScale, ...]:
        return tuple(node for node in self.nodes if isinstance(node, model.RatingScale))


def resolve(workbook: model.Workbook, publish: PublishConfig = DEFAULT_PUBLISH) -> Document:
    """Resolve a workbook that has passed validation (its rules guarantee the joins succeed)."""
    workbook = _assign_ids(workbook)
    numbers: dict[str, int] = {}
    quizzes: dict[str, model.Quiz] = {}
    answers: dict[str, model.Answer] = {}
    choice_answers: dict[str, model.ChoiceAnswer] = {}
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
                if isinstance(answer, model.ChoiceAnswer):
                    choice_answers.setdefault(answer.choice, answer)
                else:
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
        choice_answers=MappingProxyType(choice_answers),
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
        if isinstance(node, (model.Table, model.ListBlock)):
            return fix_table_or_steps(node, parent_id)
        return node

    def fix_table_or_steps(node, parent_id: str):
        # A table's caption is labelled by id in every format; steps may hold tables.
        if isinstance(node, model.Table):
            return node if node.id else replace(node, id=fresh(f"{parent_id}-table"))
        if not any(item.blocks for item in node.items):
            return node
        return replace(node, items=tuple(
            replace(item, blocks=tuple(fix_block(child, parent_id) for child in item.blocks)) for item in node.items
        ))

    return replace(workbook, sections=tuple(fix_block(section, section.id) for section in workbook.sections))


# The id of the council's links box, which pipeline.branding adds once per build.
BRAND_LINKS_ID = "council-links"
