"""Import: Word (ours and an author's), Markdown and hostile files become typed, validated sources or clean refusals."""
from __future__ import annotations

import dataclasses
import json
import os
import resource
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import docx
import pytest

from pipeline import model
from pipeline.load import load_source
from pipeline.resolve import slugify

ROOT = Path(__file__).resolve().parent.parent
WORKBOOKS = {
    "commissioning-services": ROOT / "source" / "commissioning-services" / "workbook.xml",
    "kitchen-sink": ROOT / "tests" / "fixtures" / "kitchen-sink" / "workbook.xml",
    "scrutiny-skills": ROOT / "tests" / "fixtures" / "series" / "workbook.xml",
    "answers": ROOT / "tests" / "fixtures" / "answers" / "workbook.xml",
}
TIMEOUT = 120


def run_pipeline(*args, cwd: Path, limit_memory: bool = False) -> subprocess.CompletedProcess:
    def limit() -> None:  # hostile input must be refused within this much memory
        resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 * 1024, 1536 * 1024 * 1024))

    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=TIMEOUT, preexec_fn=limit if limit_memory else None,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "SOURCE_DATE_EPOCH": "1767225600"})


@pytest.fixture(scope="module")
def built_docx(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("build")
    done = run_pipeline("build", *WORKBOOKS.values(), "--format", "docx", "--out", out, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return {name: out / name / "default" / f"{name}.docx" for name in WORKBOOKS}


@pytest.fixture(scope="module")
def imported(built_docx, tmp_path_factory) -> dict[str, tuple[Path, subprocess.CompletedProcess]]:
    out = tmp_path_factory.mktemp("imported")
    results = {}
    for name, path in built_docx.items():
        target = out / name / "workbook.xml"
        results[name] = (target, run_pipeline("import", path, "-o", target, cwd=ROOT))
    return results


# --- our own Word output comes back whole ----------------------------------------------------

# What Word cannot carry, so what the round trip cannot give back; each is applied to the
# original before comparing, so anything else that differs fails the test.
KNOWN_DIFFERENCES = (
    "ids come from titles (sections, challenges, quizzes, figures, videos, tables, choices and options, checklists "
    "and checks, scales and their statements) or are left to resolve (boxes, "
    "paragraphs, lists...), except those a link points to (quiz statements, reference targets), which Word "
    "keeps as bookmarks",
    "a link without an address is plain text in Word, so it comes back as text",
    "a reference comes back with the words Word shows for it (the target's label) as its text",
    "a definition's icon is not in Word",
    "the date is not in Word",
    "a box title the same as its label (a Useful links box titled 'Useful links') comes back as no title",
    "an image file is named after its figure (images/<figure id>.png); its bytes are the same",
    "a table cell or a list item holding one paragraph (<cell><p>…</p></cell>) comes back as inline text "
    "(<cell>…</cell>): Word shows them alike",
    "a checklist's or a rating scale's prompt worded as Word's own prompt for one without ('Tick each one you have "
    "done', 'Rate each statement') comes back as no prompt",
)
LINKED_IDS = {"reflect"}  # the reference targets of the two workbooks: Word keeps them
LABELS = {"useful-links": "Useful links", "guidance": "Guidance", "tip": "Hints and tips", "case-study": "Case study"}


def as_word_keeps_it(node):
    """The model with what Word cannot carry taken out (KNOWN_DIFFERENCES), as plain tuples."""
    if isinstance(node, tuple):
        out = []
        for child in node:
            if isinstance(child, model.Link) and child.href is None:
                out.extend(as_word_keeps_it(child.content))
            else:
                out.append(as_word_keeps_it(child))
        return _merge_text(out)
    if not dataclasses.is_dataclass(node):
        return node
    values = {}
    for field in dataclasses.fields(node):
        value = getattr(node, field.name)
        if field.name == "loc":
            continue
        if field.name == "id" and not isinstance(node, model.Statement) and value not in LINKED_IDS:
            value = None
        if field.name == "quiz" and isinstance(node, model.QuizAnswers):
            value = None
        if isinstance(node, model.Ref) and field.name == "content":
            value = ()
        if isinstance(node, model.Definition) and field.name == "icon":
            value = None
        if isinstance(node, model.Meta) and field.name == "date":
            value = None
        if isinstance(node, model.Image) and field.name == "src":
            value = None
        if isinstance(node, model.Box) and field.name == "title" and model.plain_text(value) == LABELS.get(node.kind):
            value = None
        values[field.name] = as_word_keeps_it(value)
    return (type(node).__name__, values)


def _merge_text(items: list) -> tuple:
    merged: list = []
    for item in items:
        if isinstance(item, tuple) and item and item[0] == "Text" and merged and merged[-1][0] == "Text":
            merged[-1] = ("Text", {"text": merged[-1][1]["text"] + item[1]["text"]})
        else:
            merged.append(item)
    return tuple(merged)


def blocks_of(workbook: model.Workbook) -> list:
    """Every section heading and block, in order, for a block-by-block comparison."""
    out = []

    def visit(section: model.Section) -> None:
        out.append(("section", model.plain_text(section.title)))
        for child in section.content:
            if isinstance(child, model.Section):
                visit(child)
            else:
                out.append(as_word_keeps_it(child))

    for section in workbook.sections:
        visit(section)
    return out


@pytest.mark.parametrize("name", WORKBOOKS)
def test_round_trip_gives_the_original_model_block_for_block(name, imported):
    target, done = imported[name]
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    original = load_source(WORKBOOKS[name]).workbook
    result = load_source(target).workbook
    assert as_word_keeps_it(result.meta) == as_word_keeps_it(original.meta)
    expected, got = blocks_of(original), blocks_of(result)
    for number, (want, have) in enumerate(zip(expected, got)):
        assert have == want, f"block {number} differs"
    assert len(got) == len(expected)


def test_round_trip_keeps_every_typed_block_question_and_answer_of_the_commissioning_workbook(imported):
    target, _ = imported["commissioning-services"]
    result = load_source(target).workbook
    kinds = Counter(node.kind if isinstance(node, model.Box) else "challenge"
                    for node in model.walk(result) if isinstance(node, (model.Box, model.Challenge)))
    assert kinds == {"guidance": 7, "challenge": 8, "case-study": 4, "tip": 4, "useful-links": 1}
    original = load_source(WORKBOOKS["commissioning-services"]).workbook

    def questions(workbook):
        return [as_word_keeps_it(node) for node in model.walk(workbook) if isinstance(node, model.Question)]

    def answers(workbook):
        return [(a.statement, a.value, a.qualifier, model.plain_text(a.explanation))
                for a in model.walk(workbook) if isinstance(a, model.Answer)]

    assert questions(result) == questions(original) and len(questions(result)) == 19
    assert answers(result) == answers(original) and len(answers(result)) == 8
    quiz, = (node for node in model.walk(result) if isinstance(node, model.Quiz))
    answers_node, = (node for node in model.walk(result) if isinstance(node, model.QuizAnswers))
    assert answers_node.quiz == quiz.id


def test_round_trip_differences_are_the_listed_ones(imported, built_docx):
    target, done = imported["kitchen-sink"]
    result = load_source(target).workbook
    ids = {getattr(node, "id", None) for node in model.walk(result)}
    # ids from titles; those a link points to are kept
    assert {"practice", "what-do-you-know", "a-nested-section"} <= ids
    assert {"reflect", "sky-is-blue", "grass-is-red", "water-is-wet"} <= ids
    ref, = (node for node in model.walk(result) if isinstance(node, model.Ref))
    assert (ref.target, model.plain_text(ref.content)) == ("reflect", "Challenge 2 – Reflect on your role")
    assert not any(isinstance(node, model.Link) and node.href is None for node in model.walk(result))
    figure = next(node for node in model.walk(result) if isinstance(node, model.Figure) and node.image)
    assert figure.image.src == f"images/{figure.id}.png" == "images/an-image-figure.png"
    original_png = ROOT / "tests" / "fixtures" / "kitchen-sink" / "images" / "bar-chart.png"
    assert (target.parent / figure.image.src).read_bytes() == original_png.read_bytes()
    assert result.meta.date is None
    assert len(KNOWN_DIFFERENCES) == 9


# --- an author's Word document and Markdown file --------------------------------------------

def author_docx(path: Path, picture: bool = True) -> Path:
    """A workbook as an author writes it in Word: plain headings and bold labels, none of our styles."""
    document = docx.Document()
    document.add_heading("Commissioning for councillors", 0)
    document.add_heading("Introduction", 1)
    paragraph = document.add_paragraph("This workbook helps you think about ")
    paragraph.add_run("commissioning").italic = True
    paragraph.add_run(".")
    document.add_heading("Guidance – Definitions of commissioning", 2)
    document.add_paragraph("Commissioning is the cycle of assessing needs and securing services.")
    document.add_paragraph().add_run("Challenge 1 – What do you know?").bold = True
    document.add_paragraph("Are the following statements true or false?")
    document.add_paragraph("Commissioning will help you to make savings.", style="List Bullet")
    document.add_paragraph("Commissioning is the same as procurement.", style="List Bullet")
    document.add_heading("Thinking about your council", 1)
    document.add_paragraph().add_run("Challenge 2 – Your council").bold = True
    document.add_paragraph("Think about your council.")
    document.add_paragraph("How does your council define commissioning?")
    document.add_paragraph("Take a moment to consider:")
    document.add_paragraph("finances", style="List Bullet")
    document.add_paragraph("internal workforce", style="List Bullet")
    document.add_heading("Case study – Staffordshire libraries", 2)
    document.add_paragraph("Staffordshire kept all 43 of its libraries open.")
    document.add_paragraph().add_run("Hints and tips – Services versus outcomes").bold = True
    document.add_paragraph("Think about outcomes, not services.")
    document.add_heading("Facts about commissioning", 1)
    document.add_paragraph("Commissioning will help you to make savings.")
    document.add_paragraph("TRUE (sort of!) – Commissioning helps you to make evidence-based decisions.")
    document.add_paragraph("Commissioning is the same as procurement.")
    document.add_paragraph("FALSE – Procurement is one part of commissioning.")
    document.add_heading("Useful links", 2)
    document.add_paragraph("The Local Government Association has more.")
    if not picture:
        document.save(path)
        return path
    document.add_heading("A picture", 1)
    document.add_paragraph().add_run().add_picture(str(PICTURE))
    document.paragraphs[-1]._p.xpath(".//wp:docPr")[0].set("descr", PICTURE_ALT)
    document.add_paragraph("Two bars", style="Caption")
    document.save(path)
    return path


PICTURE = ROOT / "tests" / "fixtures" / "kitchen-sink" / "images" / "bar-chart.png"
PICTURE_ALT = "A bar chart with two bars, the second taller than the first."


AUTHOR_MARKDOWN = """\
---
title: Commissioning for councillors
---

# Introduction

This workbook helps you think about *commissioning*.

::: {.guidance title="Definitions of commissioning"}
Commissioning is the cycle of assessing needs and securing services.
:::

::: {.challenge title="What do you know?"}
Are the following statements true or false?

- Commissioning will help you to make savings.
- Commissioning is the same as procurement.
:::

# Thinking about your council

::: {.challenge title="Your council"}
Think about your council.

- How does your council define commissioning?
- Take a moment to consider:
  - finances
  - internal workforce
:::

::: {.case-study title="Staffordshire libraries"}
Staffordshire kept all 43 of its libraries open.
:::

::: {.tip title="Services versus outcomes"}
Think about outcomes, not services.
:::

# Facts about commissioning

Commissioning will help you to make savings.

TRUE (sort of!) – Commissioning helps you to make evidence-based decisions.

Commissioning is the same as procurement.

FALSE – Procurement is one part of commissioning.

::: useful-links
The [Local Government Association](https://www.local.gov.uk/) has more.
:::

# A picture

![A bar chart with two bars, the second taller than the first.](pictures/bar-chart.png "Two bars")
"""


def author_file(kind: str, folder: Path) -> Path:
    """The author's workbook as a file of this kind; ODT and HTML are pandoc's conversions of the Word one."""
    if kind == "docx":
        return author_docx(folder / "author.docx")
    if kind in ("odt", "html"):
        import pypandoc

        (folder / "word").mkdir()
        # pandoc's ODT writer drops a picture's alt text, which a workbook needs: no picture in the ODT
        word = author_docx(folder / "word" / "author.docx", picture=kind != "odt")
        path = folder / f"author.{kind}"
        extra = ["--standalone", f"--extract-media={folder}"] if kind == "html" else []
        subprocess.run([pypandoc.get_pandoc_path(), str(word), "-o", str(path), *extra], check=True, cwd=folder)
        return path
    (folder / "pictures").mkdir()
    (folder / "pictures" / "bar-chart.png").write_bytes(PICTURE.read_bytes())
    path = folder / "author.md"
    path.write_text(AUTHOR_MARKDOWN, encoding="utf-8")
    return path


def typed_summary(workbook: model.Workbook) -> dict:
    boxes = [(node.kind, model.plain_text(node.title)) for node in model.walk(workbook) if isinstance(node, model.Box)]
    challenges = {model.plain_text(node.title): [model.plain_text(q.content) for q in node.questions]
                  for node in model.walk(workbook) if isinstance(node, model.Challenge)}
    quiz, = (node for node in model.walk(workbook) if isinstance(node, model.Quiz))
    answers, = (node for node in model.walk(workbook) if isinstance(node, model.QuizAnswers))
    statements = {s.id: model.plain_text(s.content) for s in quiz.statements}
    return {
        "sections": [model.plain_text(s.title) for s in workbook.sections],
        "boxes": boxes,
        "challenges": challenges,
        "quiz": (model.plain_text(quiz.prompt), list(statements.values())),
        "answers": [(statements[a.statement], a.value, a.qualifier, model.plain_text(a.explanation)) for a in answers.answers],
        "answers-quiz": answers.quiz == quiz.id,
    }


AUTHOR_EXPECTED = {
    "sections": ["Introduction", "Thinking about your council", "Facts about commissioning", "A picture"],
    "boxes": [("guidance", "Definitions of commissioning"), ("case-study", "Staffordshire libraries"),
              ("tip", "Services versus outcomes"), ("useful-links", "")],
    "challenges": {"What do you know?": [],
                   "Your council": ["How does your council define commissioning?", "Take a moment to consider:"]},
    "quiz": ("Are the following statements true or false?",
             ["Commissioning will help you to make savings.", "Commissioning is the same as procurement."]),
    "answers": [("Commissioning will help you to make savings.", True, "sort of!",
                 "Commissioning helps you to make evidence-based decisions."),
                ("Commissioning is the same as procurement.", False, None, "Procurement is one part of commissioning.")],
    "answers-quiz": True,
}


@pytest.mark.parametrize("kind", ["docx", "md", "odt", "html"])
def test_an_authors_document_gives_typed_blocks_questions_and_the_quiz(kind, tmp_path):
    source = author_file(kind, tmp_path)
    done = run_pipeline("import", source, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    target = tmp_path / "source" / "commissioning-for-councillors" / "workbook.xml"
    result = load_source(target).workbook
    expected = dict(AUTHOR_EXPECTED)
    if kind == "odt":
        expected["sections"] = expected["sections"][:-1]
    assert typed_summary(result) == expected
    question = next(q for q in model.walk(result) if isinstance(q, model.Question) and q.sublists)
    assert [model.plain_text(i.content) for i in question.sublists[0].items] == ["finances", "internal workforce"]
    assert f"source/commissioning-for-councillors/workbook.xml: imported from {source} (" in done.stderr
    if kind == "odt":
        return
    figure, = (node for node in model.walk(result) if isinstance(node, model.Figure))
    assert (model.plain_text(figure.caption), figure.alt) == ("Two bars", PICTURE_ALT)
    assert figure.image.src == "images/two-bars.png"
    assert (target.parent / figure.image.src).read_bytes() == PICTURE.read_bytes()


def test_an_authors_word_guesses_are_reported_with_where(tmp_path):
    source = author_file("docx", tmp_path)
    done = run_pipeline("import", source, "-o", "out/workbook.xml", cwd=tmp_path)
    lines = done.stderr.splitlines()
    assert (f"{source}: warning: in “Introduction”, paragraph 4: the bold line “Challenge 1 – What do you know?” "
            "is read as a challenge label; check it is right [import.guessed]") in lines
    assert (f"{source}: warning: in “Thinking about your council”, paragraph 3: “How does your council define "
            "commissioning?” is read as a question (it ends in '?'); check it is right [import.guessed]") in lines
    assert sum("[import.guessed]" in line for line in lines) == 10


def test_markdown_guesses_give_the_line(tmp_path):
    source = author_file("md", tmp_path)
    done = run_pipeline("import", source, "-o", "out/workbook.xml", cwd=tmp_path)
    lines = done.stderr.splitlines()
    assert (f"{source}:14: warning: in “Introduction”, paragraph 5: the list under “Are the following statements "
            "true or false?” is read as a true-or-false quiz of 2 statements; check it is right [import.guessed]") in lines
    # fenced divs name their kind: no guess is reported for them
    assert not any("label" in line for line in lines)


def test_strict_makes_guesses_errors_and_writes_nothing(tmp_path):
    source = author_file("docx", tmp_path)
    done = run_pipeline("import", source, "--strict", cwd=tmp_path)
    assert done.returncode == 2
    assert f"{source}: error: in “Introduction”, paragraph 2: the heading “Guidance – Definitions of commissioning” " \
           "is read as a guidance label; check it is right [import.guessed]" in done.stderr.splitlines()
    assert not (tmp_path / "source").exists()


def test_strict_counts_the_imported_sources_own_warnings_and_leaves_no_folder(tmp_path, built_docx):
    done = run_pipeline("import", built_docx["kitchen-sink"], "-o", "new/folder/workbook.xml", "--strict", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"{built_docx['kitchen-sink']}: error: the imported source would not be valid: figure "
        "'a-diagram-the-source-does-not-describe' is missing its image; add <image src=\"...\"/> or describe it as a "
        "<diagram> [figure.missing-image]",
        f"{built_docx['kitchen-sink']}: error: the imported source would not be valid: video "
        "'watch-our-video-on-the-approach' has no address; add href=\"...\" when it is known [video.no-address]",
    ]
    assert list(tmp_path.iterdir()) == []


def test_an_existing_source_is_kept_without_force(tmp_path):
    source = author_file("md", tmp_path)
    target = tmp_path / "source" / "mine" / "workbook.xml"
    target.parent.mkdir(parents=True)
    target.write_text("mine")
    done = run_pipeline("import", source, "--id", "mine", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "source/mine/workbook.xml: error: exists already; import with --force to replace it, or choose another -o [import.exists]"]
    assert target.read_text() == "mine"
    done = run_pipeline("import", source, "--id", "mine", "--force", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert load_source(target).workbook.id == "mine"


def test_ids_are_made_from_titles_unique_and_stable(tmp_path):
    source = author_file("md", tmp_path)
    first = run_pipeline("import", source, "-o", "a/workbook.xml", cwd=tmp_path)
    second = run_pipeline("import", source, "-o", "b/workbook.xml", cwd=tmp_path)
    assert first.returncode == second.returncode == 0
    a = (tmp_path / "a" / "workbook.xml").read_text()
    assert a.replace("../../", "") == (tmp_path / "b" / "workbook.xml").read_text().replace("../../", "")
    workbook = load_source(tmp_path / "a" / "workbook.xml").workbook
    ids = [node.id for node in model.walk(workbook) if getattr(node, "id", None)]
    assert len(ids) == len(set(ids))
    challenge = next(node for node in model.walk(workbook) if isinstance(node, model.Challenge))
    assert challenge.id == slugify("What do you know?")


@pytest.mark.parametrize("kind", ["docx", "md"])
def test_an_imported_source_builds_in_every_format_and_passes_the_validators(kind, tmp_path):
    from tests.validators import errors, format_findings, epubcheck, ooxml, scorm_xsd, vnu

    source = author_file(kind, tmp_path)
    assert run_pipeline("import", source, "--id", "authored", cwd=tmp_path).returncode == 0
    done = run_pipeline("build", "source/authored/workbook.xml", "--out", "build", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "build" / "authored" / "default"
    pages = sorted((out / "html").glob("*.html"))
    assert pages
    findings = errors(vnu.check_html(pages))
    assert not findings, format_findings(findings)
    findings = errors(epubcheck.check_epub(out / "authored.epub"))
    assert not findings, format_findings(findings)
    findings = ooxml.validate_docx(out / "authored.docx")
    assert not findings, format_findings(findings)
    assert scorm_xsd.validate_package(out / "authored-scorm12.zip", "1.2") == []
    assert scorm_xsd.validate_package(out / "authored-scorm2004.zip", "2004") == []


# --- hostile and broken input ------------------------------------------------------------------

def word_package(folder: Path, name: str, parts: dict[str, bytes], built: Path) -> Path:
    """A copy of a real DOCX with some parts replaced or added."""
    path = folder / name
    with zipfile.ZipFile(built) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in original.infolist():
            if item.filename not in parts:
                copy.writestr(item, original.read(item))
        for part, data in parts.items():
            copy.writestr(part, data)
    return path


def zip_bomb(path: Path, megabytes: int = 300) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(megabytes):
                part.write(chunk)
    return path


def test_a_part_that_unpacks_far_beyond_its_size_is_a_zip_bomb(tmp_path):
    path = zip_bomb(tmp_path / "small-bomb.docx", megabytes=20)  # under the total limit, over the ratio
    with zipfile.ZipFile(path) as archive:
        part = archive.getinfo("word/document.xml")
    done = run_pipeline("import", path.name, cwd=tmp_path, limit_memory=True)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"small-bomb.docx: error: its part word/document.xml unpacks {part.file_size // part.compress_size} times its "
        "packed size (at most 100); it looks like a zip bomb, not a document [import.zip-bomb]"]


def hostile(kind: str, folder: Path, built: Path) -> Path:
    if kind == "zip-bomb":
        return zip_bomb(folder / "bomb.docx")
    if kind == "entity":
        xml = (b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
               b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
               b'<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>')
        return word_package(folder, "entity.docx", {"word/document.xml": xml}, built)
    if kind == "macros":
        return word_package(folder, "macros.docx", {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}, built)
    if kind == "local-link":
        with zipfile.ZipFile(built) as original:
            rels = original.read("word/_rels/document.xml.rels")
        rels = rels.replace(b"</Relationships>", b'<Relationship Id="rIdLocal" Type="http://schemas.openxmlformats.org/'
                            b'officeDocument/2006/relationships/hyperlink" Target="file:///etc/passwd" '
                            b'TargetMode="External"/></Relationships>')
        return word_package(folder, "local-link.docx", {"word/_rels/document.xml.rels": rels}, built)
    if kind == "big-markdown":
        path = folder / "big.md"
        with path.open("wb") as stream:
            line = b"Some words of a very long workbook, repeated.\n"
            stream.write(line * (50 * 1024 * 1024 // len(line) + 1))
        return path
    if kind == "latin-1-html":
        path = folder / "latin.html"
        path.write_bytes("<html><body>\n<h1>Caf\u00e9</h1></body></html>".encode("latin-1"))
        return path
    if kind == "not-a-zip":
        path = folder / "fake.docx"
        path.write_text("not a zip")
        return path
    if kind == "remote-picture":
        path = folder / "remote.md"
        path.write_text("# A\n\n![A chart.](https://example.org/chart.png)\n")
        return path
    if kind == "picture-without-alt":
        path = folder / "no-alt.md"
        (folder / "chart.png").write_bytes(PICTURE.read_bytes())
        path.write_text("# A\n\n![](chart.png)\n")
        return path
    if kind == "missing":
        return folder / "missing.docx"
    if kind == "empty-docx":
        path = folder / "empty.docx"
        docx.Document().save(path)
        return path
    if kind == "empty-markdown":
        path = folder / "empty.md"
        path.write_text("\n\n")
        return path
    if kind == "unknown-format":
        path = folder / "notes.rtf"
        path.write_text("{\\rtf1}")
        return path
    raise AssertionError(kind)


HOSTILE = {
    "zip-bomb": "bomb.docx: error: unpacks to 300 MB (at most 200 MB); it looks like a zip bomb, not a document [import.zip-bomb]",
    "entity": "entity.docx: error: its part word/document.xml declares a DTD or entities, which Word never writes; "
              "refusing it (external entities can read files on this machine) [import.xml-entity]",
    "macros": "macros.docx: error: contains macros (word/vbaProject.bin); save it without macros (as .docx, not .docm) "
              "and import it again [import.macros]",
    "local-link": "local-link.docx: error: links to a file on this machine or network (file:///etc/passwd, in "
                  "word/_rels/document.xml.rels); remove the link, or make it a web address, and import it again [import.local-link]",
    "big-markdown": "big.md: error: is 50.0 MB; a Markdown or HTML file to import may be at most 10 MB [import.too-large]",
    "latin-1-html": "latin.html:2:8: error: is not UTF-8 (byte 0xe9 here); save it as UTF-8 and import it again [import.not-utf8]",
    "not-a-zip": "fake.docx: error: is not a DOCX document (it is not a zip package); open it in Word or LibreOffice "
                 "and save it again [import.unreadable]",
    "empty-markdown": "empty.md: error: is empty; there is nothing to import [import.empty]",
    "missing": "missing.docx: error: no such file [import.not-found]",
    "empty-docx": "empty.docx: error: has no text to import (no headings or paragraphs were found) [import.empty]",
    "remote-picture": "remote.md:3: error: the picture https://example.org/chart.png is on another site; save it beside "
                      "the document and refer to the file, so no output loads anything from another host [import.image]",
    "picture-without-alt": "no-alt.md:3: error: in “A”, paragraph 1: a picture has no alt text; describe it (in Word: "
                           "right-click it, Edit Alt Text) and import again [import.no-alt]",
    "unknown-format": "notes.rtf: error: cannot import a '.rtf' file; import one of: .docx, .htm, .html, .markdown, .md, .odt [import.unknown-format]",
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_or_broken_input_is_refused_cleanly(kind, tmp_path, built_docx):
    path = hostile(kind, tmp_path, built_docx["kitchen-sink"])
    done = run_pipeline("import", path.name, "--id", "hostile", cwd=tmp_path, limit_memory=True)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [HOSTILE[kind]]
    assert not (tmp_path / "source").exists()


def test_a_bad_id_is_refused(tmp_path):
    source = author_file("md", tmp_path)
    done = run_pipeline("import", source, "--id", "Not An Id", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["--id: error: 'Not An Id' is not an id: use lower-case letters, digits and "
                                        "single hyphens, starting with a letter [import.bad-id]"]


# --- every kind has a handler -----------------------------------------------------------------

def test_every_role_a_reader_gives_has_a_handler():
    import re as regex

    from pipeline.importer.assemble import Assembler

    handlers = set(Assembler("x", set()).HANDLERS)
    roles = set()
    for module in ("styles", "labels", "markdown", "assemble", "__init__"):
        text = (ROOT / "pipeline" / "importer" / f"{module}.py").read_text()
        roles |= set(regex.findall(r'(?:Piece|emit)\(\s*"([a-z-]+)"', text))
    from pipeline.importer.styles import ROLE_OF_STYLE, TABLE_ROLES

    roles |= set(ROLE_OF_STYLE.values()) | set(TABLE_ROLES.values())
    assert {"label", "question", "quiz", "quiz-answers", "figure-image"} <= roles
    assert roles <= handlers, sorted(roles - handlers)


def test_every_block_kind_of_the_model_comes_back_from_our_word(imported):
    import typing

    target, _ = imported["kitchen-sink"]
    kinds = {type(node) for node in model.walk(load_source(target).workbook)}
    missing = [kind.__name__ for kind in typing.get_args(model.Block) if kind not in kinds]
    assert not missing, f"block kinds the Word import does not give back (add a role and a handler): {missing}"


def test_a_link_to_a_file_keeps_its_words_with_a_warning(tmp_path):
    source = tmp_path / "links.md"
    source.write_text("# Links\n\nSee [the notes](notes.html) and [the site](https://www.local.gov.uk/).\n")
    done = run_pipeline("import", source.name, "-o", "out/workbook.xml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0] == (
        "links.md:3: warning: in “Links”, paragraph 1: left out the address notes.html of a link (not a web address; "
        "its words are kept), which a workbook cannot hold [import.dropped]")
    paragraph, = load_source(tmp_path / "out" / "workbook.xml").workbook.sections[0].content
    assert paragraph.content == (model.Text("See the notes and "),
                                 model.Link("https://www.local.gov.uk/", (model.Text("the site"),)), model.Text("."))


def test_a_label_bold_only_in_its_first_word_and_text_after_the_questions(tmp_path):
    document = docx.Document()
    document.add_heading("Bold labels", 0)
    document.add_heading("One", 1)
    paragraph = document.add_paragraph()
    paragraph.add_run("Challenge 1").bold = True
    paragraph.add_run(" – Your role")
    document.add_paragraph("What is your role?")
    paragraph = document.add_paragraph()
    paragraph.add_run("Guidance").bold = True
    paragraph.add_run(" is given in a sentence that only starts like a label, and goes on well past the length "
                      "of any label's title, so it is read as the paragraph it is and nothing else.")
    document.save(tmp_path / "bold.docx")
    done = run_pipeline("import", "bold.docx", "-o", "out/workbook.xml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[2] == (
        "bold.docx: warning: in “One”, paragraph 3: text after a challenge's questions ends the challenge; it follows "
        "it in the section [import.moved]")
    challenge, paragraph = load_source(tmp_path / "out" / "workbook.xml").workbook.sections[0].content
    assert (challenge.id, model.plain_text(challenge.title)) == ("your-role", "Your role")
    assert [model.plain_text(q.content) for q in challenge.questions] == ["What is your role?"]
    assert model.plain_text(paragraph.content).startswith("Guidance is given in a sentence")


# --- every way an import can fail is exit 2 with the file and a message -----------------------

def corrupt_package(path: Path) -> Path:
    """A DOCX whose document part's compressed bytes are damaged (so unpacking it fails, not the zip directory)."""
    body = b"<w:document>" + b"words of a workbook " * 2000 + b"</w:document>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", body)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        part = archive.getinfo("word/document.xml")
    start = part.header_offset + 30 + len(part.filename.encode()) + len(part.extra)
    data[start:start + 16] = b"\xff" * 16
    path.write_bytes(bytes(data))
    return path


def failing_input(kind: str, folder: Path) -> tuple[Path, list[str]]:
    """(the file to import, extra arguments) for each way of failing that test_import_failures_are_exit_2 covers."""
    note = folder / "note.md"
    note.write_text("# A\n\nA paragraph.\n", encoding="utf-8")
    if kind == "fifo":
        os.mkfifo(folder / "pipe.md")
        return folder / "pipe.md", []
    if kind == "device":
        (folder / "zero.md").symlink_to("/dev/zero")
        return folder / "zero.md", []
    if kind == "link-loop":
        (folder / "loop.md").symlink_to(folder / "loop.md")
        return folder / "loop.md", []
    if kind == "folder":
        (folder / "notes.md").mkdir()
        return folder / "notes.md", []
    if kind == "damaged-part":
        return corrupt_package(folder / "damaged.docx"), []
    if kind == "output-under-a-file":
        (folder / "blocker").write_text("", encoding="utf-8")
        return note, ["-o", "blocker/workbook.xml"]
    if kind == "output-nowhere":
        return note, ["-o", "/proc/no-such/workbook.xml"]
    if kind == "exists":
        (folder / "out.xml").write_text("", encoding="utf-8")
        return note, ["-o", "out.xml"]
    raise AssertionError(kind)


IMPORT_FAILURES = {
    "fifo": "pipe.md: error: is not a regular file (a named pipe); an input file to import must be a plain file [import.not-a-file]",
    "device": "zero.md: error: is not a regular file (a device); an input file to import must be a plain file [import.not-a-file]",
    "link-loop": "loop.md: error: is a symbolic link that leads back to itself (a link loop); point it at a real file [import.not-a-file]",
    "folder": "notes.md: error: is a folder, not a file [import.not-a-file]",
    "damaged-part": "damaged.docx: error: its part word/document.xml cannot be unpacked (Error -3 while decompressing data: "
                    "invalid block type); save the document again [import.unreadable]",
    "output-under-a-file": "blocker/workbook.xml: error: cannot write blocker/workbook.xml: Not a directory; choose another -o "
                           "[output.unwritable]",
    "output-nowhere": "/proc: error: cannot write /proc: No such file or directory; choose another -o [output.unwritable]",
    "exists": "out.xml: error: exists already; import with --force to replace it, or choose another -o [import.exists]",
}


@pytest.mark.parametrize("kind", IMPORT_FAILURES)
def test_import_failures_are_exit_2_with_the_file_and_a_message(kind, tmp_path):
    path, extra = failing_input(kind, tmp_path)
    done = run_pipeline("import", path.name, *extra, cwd=tmp_path, limit_memory=True)
    assert (done.returncode, done.stderr.splitlines()) == (2, [IMPORT_FAILURES[kind]])
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".import-")]


def test_pandoc_reads_the_checked_bytes_not_the_file_again(tmp_path, monkeypatch):
    from pipeline.importer import pandoc

    path = tmp_path / "note.md"
    path.write_text("# Checked\n\nThe words that were checked.\n", encoding="utf-8")
    checked = pandoc.check_text

    def check_then_swap(where, data):
        checked(where, data)
        path.write_text("# Swapped\n\nOther words.\n", encoding="utf-8")

    monkeypatch.setattr(pandoc, "check_text", check_then_swap)
    document = pandoc.read(path, tmp_path / "media")
    assert "Checked" in json.dumps(document.ast) and "Swapped" not in json.dumps(document.ast)
    assert pandoc_lines(document.ast) == [1, 3]


def pandoc_lines(ast_json: dict) -> list[int]:
    from pipeline.importer import pandoc_ast

    return [block["_line"] for block in pandoc_ast.unwrap_blocks(ast_json["blocks"])]


# --- tables and steps from an author's documents (issue 12's kinds) ---------------------------

AUTHOR_TABLES_MARKDOWN = """\
# Tables

Who does what.

| Role | Does |
|------|------|
| Chair | Leads |

: Roles in scrutiny

| A | B |
|---|---|
| 1 | 2 |

A grid to fill in

| C | D |
|---|---|
| 3 | 4 |

1. **Read the papers.**

   Give yourself time.

2. A plain step
"""


def test_an_authors_markdown_tables_get_captions_and_numbered_paragraphs_become_steps(tmp_path):
    source = tmp_path / "tables.md"
    source.write_text(AUTHOR_TABLES_MARKDOWN, encoding="utf-8")
    done = run_pipeline("import", source.name, "-o", "out/workbook.xml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[:2] == [
        "tables.md:12: warning: in “Tables”, paragraph 3: a table has no caption, so it is captioned “Table 2”; give it "
        "a caption that says what it shows [import.guessed]",
        "tables.md:18: warning: in “Tables”, paragraph 5: a table has no caption, so the paragraph before it, “A grid to "
        "fill in”, is taken as its caption; check it names the table [import.guessed]",
    ]
    paragraph, first, second, third, steps = load_source(tmp_path / "out" / "workbook.xml").workbook.sections[0].content
    assert model.plain_text(paragraph.content) == "Who does what."
    assert [model.plain_text(table.caption) for table in (first, second, third)] == [
        "Roles in scrutiny", "Table 2", "A grid to fill in"]
    assert [model.plain_text(cell.content) for cell in first.head.cells] == ["Role", "Does"]
    assert [model.plain_text(cell.content) for cell in first.rows[0].cells] == ["Chair", "Leads"]
    assert steps.ordered
    step, plain = steps.items
    assert [model.plain_text(block.content) for block in step.blocks] == ["Read the papers.", "Give yourself time."]
    assert (plain.blocks, model.plain_text(plain.content)) == ((), "A plain step")


def test_an_authors_word_table_gets_its_head_row_row_headers_and_a_caption(tmp_path):
    document = docx.Document()
    document.add_heading("Grid", 0)
    document.add_heading("Skills", 1)
    document.add_paragraph("A self-assessment grid")
    table = document.add_table(rows=3, cols=2)
    for r, row in enumerate([("Skill", "Confident"), ("Asking", "Yes"), ("Listening", "No")]):
        for c, text in enumerate(row):
            table.cell(r, c).paragraphs[0].add_run(text).bold = c == 0 and r > 0
    document.save(tmp_path / "grid.docx")
    done = run_pipeline("import", "grid.docx", "-o", "out/workbook.xml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[:2] == [
        "grid.docx: warning: in “Skills”, paragraph 2: the bold first column of a table is read as its row headers; "
        "check it is right [import.guessed]",
        "grid.docx: warning: in “Skills”, paragraph 2: a table has no caption, so the paragraph before it, “A "
        "self-assessment grid”, is taken as its caption; check it names the table [import.guessed]",
    ]
    table, = load_source(tmp_path / "out" / "workbook.xml").workbook.sections[0].content
    assert model.plain_text(table.caption) == "A self-assessment grid"
    assert [(model.plain_text(c.content), c.header) for c in table.head.cells] == [("Skill", False), ("Confident", False)]
    assert [[(model.plain_text(c.content), c.header) for c in row.cells] for row in table.rows] == [
        [("Asking", True), ("Yes", False)], [("Listening", True), ("No", False)]]


# --- what the Word page does not show rides in custom document properties --------------------

def custom_properties(path: Path) -> dict[str, str]:
    from lxml import etree

    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("docProps/custom.xml"))
    return {prop.get("name"): "".join(prop.itertext()) for prop in root}


def test_the_correct_options_drawing_lines_and_article_are_custom_properties_not_text(built_docx):
    answers = custom_properties(built_docx["answers"])
    assert answers == {"Correct options": "1; 1 3", "Drawing space lines": "10"}
    assert custom_properties(built_docx["commissioning-services"]) == {"Publisher article": "the"}
    text = "\n".join(p.text for p in docx.Document(str(built_docx["answers"])).paragraphs)
    assert "Correct options" not in text and "Drawing space lines" not in text


def test_without_the_properties_the_answers_or_else_the_first_option_say_which_is_correct(tmp_path, built_docx):
    empty = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.openxmlformats.org/'
             b'officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>')
    path = word_package(tmp_path, "bare.docx", {"docProps/custom.xml": empty}, built_docx["kitchen-sink"])
    done = run_pipeline("import", path.name, "-o", "out/workbook.xml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    guesses = [line for line in done.stderr.splitlines() if "correct" in line]
    assert guesses == [
        "bare.docx: warning: in “Ways to answer”, paragraph 3: the document does not say which options of “Which "
        "colour is the sky?” are correct, so those its answer names are marked correct; check them [import.guessed]",
        "bare.docx: warning: in “Ways to answer”, paragraph 5: the document does not say which option of “Which of these "
        "are wet?” is correct, so the first is marked correct; check it [import.guessed]",
    ]
    workbook = load_source(tmp_path / "out" / "workbook.xml").workbook
    choices = [node for node in model.walk(workbook) if isinstance(node, model.Choice)]
    assert [[option.correct for option in choice.options] for choice in choices] == [[True, False], [True, False, False]]
    drawing = next(q for q in model.walk(workbook) if isinstance(q, model.Question) and q.space == "drawing")
    assert drawing.lines is None  # the box's height (12 cm) hides lines under 17


DIFFERENCES_SOURCE = """\
<?xml version="1.0" encoding="UTF-8"?>
<workbook id="differences" version="1.0.0" lang="en-GB" format-version="1.0">
  <meta><title>Differences</title></meta>
  <section id="one">
    <title>One</title>
    <table><caption>A grid</caption><row><cell><p>One paragraph</p></cell><cell>Text</cell></row></table>
    <list type="number"><item><p>A step of one paragraph</p></item></list>
    <challenge id="tick">
      <checklist id="ticks"><prompt>Tick each one you have done</prompt><check id="read">I have read it</check></checklist>
      <rating-scale id="rate"><prompt>Rate each statement</prompt><level>Low</level><level>High</level>
        <statement id="rate-one">Reading</statement></rating-scale>
    </challenge>
  </section>
</workbook>
"""


def test_the_last_two_known_differences_are_exactly_what_comes_back_differently(tmp_path):
    source = tmp_path / "source" / "workbook.xml"
    source.parent.mkdir()
    source.write_text(DIFFERENCES_SOURCE, encoding="utf-8")
    assert run_pipeline("build", source, "--format", "docx", "--out", tmp_path / "build", cwd=ROOT).returncode == 0
    built = tmp_path / "build" / "differences" / "default" / "differences.docx"
    done = run_pipeline("import", built, "-o", tmp_path / "back" / "workbook.xml", cwd=ROOT)
    assert done.returncode == 0, done.stderr
    original = load_source(source).workbook.sections[0].content
    table, steps, challenge = original
    checklist, scale = challenge.items
    cell = table.rows[0].cells[0]
    expected = (
        dataclasses.replace(table, rows=(model.TableRow((dataclasses.replace(cell, content=cell.blocks[0].content, blocks=()),
                                                          table.rows[0].cells[1])),)),
        dataclasses.replace(steps, items=(model.ListItem(steps.items[0].blocks[0].content),)),
        dataclasses.replace(challenge, items=(dataclasses.replace(checklist, prompt=None),
                                              dataclasses.replace(scale, prompt=None))),
    )
    result = load_source(tmp_path / "back" / "workbook.xml").workbook.sections[0].content
    assert as_word_keeps_it(result) == as_word_keeps_it(expected)
    assert as_word_keeps_it(result) != as_word_keeps_it(original)


def test_an_authors_word_numbered_items_with_list_continue_paragraphs_are_steps(tmp_path):
    document = docx.Document()
    document.add_heading("Steps", 0)
    document.add_heading("Preparing", 1)
    document.add_paragraph("Read the papers.", style="List Number")
    document.add_paragraph("Give yourself time.", style="List Continue")
    document.add_paragraph("Agree the lines.", style="List Number")
    document.add_paragraph("Meet beforehand.", style="List Continue")
    document.save(tmp_path / "steps.docx")
    done = run_pipeline("import", "steps.docx", "-o", "out/workbook.xml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    steps, = load_source(tmp_path / "out" / "workbook.xml").workbook.sections[0].content
    assert steps.ordered
    assert [[model.plain_text(block.content) for block in item.blocks] for item in steps.items] == [
        ["Read the papers.", "Give yourself time."], ["Agree the lines.", "Meet beforehand."]]


def test_a_reference_document_with_custom_properties_keeps_them_and_gains_ours():
    from types import SimpleNamespace

    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    from pipeline.render.docx.publication import CUSTOM_PROPERTIES_RELATIONSHIP, CUSTOM_PROPERTIES_TYPE, set_publication_properties

    document = docx.Document(str(ROOT / "templates" / "docx" / "reference.docx"))
    theirs = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://schemas.openxmlformats.org/'
              b'officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
              b'<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Department"><vt:lpwstr>Training</vt:lpwstr>'
              b'</property></Properties>')
    package = document.part.package
    part = Part(PackURI("/docProps/custom.xml"), CUSTOM_PROPERTIES_TYPE, theirs, package)
    package.relate_to(part, CUSTOM_PROPERTIES_RELATIONSHIP)
    workbook = load_source(WORKBOOKS["scrutiny-skills"]).workbook
    set_publication_properties(document, SimpleNamespace(workbook=workbook), {"Correct options": "1"})
    assert [p.partname for p in package.iter_parts()].count("/docProps/custom.xml") == 1
    from lxml import etree

    names = [(prop.get("pid"), prop.get("name")) for prop in etree.fromstring(part.blob)]
    assert names == [("2", "Department"), ("3", "Rights"), ("4", "Publisher article"), ("5", "Correct options")]
