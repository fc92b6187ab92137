"""SCORM 1.2 and SCORM 2004 4th Edition packages: the SCORM pages + a launcher + imsmanifest.xml + the XSDs, zipped.

One SCO launches `scorm-launch.html`, which holds the LMS session for the whole
visit and shows the workbook pages in a frame. The pages come from the shared
page renderer (profile SCORM) and load `assets/scorm-runtime.js` before
`workbook.js`: in a page, the runtime hands workbook.js a store backed by the
launcher's session; in the launcher, it finds the LMS API, reports progress,
quiz and place, and keeps the learner's state in suspend_data (and, always,
in full in localStorage). One LMS session per visit matters: pages reloading
one after another cannot each Initialize and Terminate.

The learner state is compacted for suspend_data (see `compact_state_size`);
the build warns when the workbook's answers of a reasonable length cannot fit.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .. import model
from ..brand import Brand
from ..package import write_zip
from ..problems import Problem, warning
from ..reproducible import build_time
from ..resolve import Document
from . import pages

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates" / "scorm"
MANIFEST = "imsmanifest.xml"
LAUNCH_PAGE = "scorm-launch.html"
RUNTIME = "assets/scorm-runtime.js"

# The quiz score (a fraction of the statements right) at which a learner passes:
# cmi.success_status in 2004, imsss:minNormalizedMeasure and adlcp:masteryscore.
PASSING_SCORE = 0.8
# An answer of this many characters (a long paragraph) should survive in
# suspend_data; below it the build warns.
REASONABLE_ANSWER_CHARS = 1000


@dataclass(frozen=True)
class ScormVersion:
    key: str  # the format name in pipeline.build
    label: str  # what people call it: "SCORM 1.2"
    api: str  # "1.2" or "2004": what the runtime and the validators are told
    suspend_data_limit: int  # characters the LMS must keep in suspend_data
    manifest_template: str
    xsd_folder: Path


SCORM12 = ScormVersion("scorm12", "SCORM 1.2", "1.2", 4096, "imsmanifest-scorm12.xml", TEMPLATES / "xsd" / "scorm12")
SCORM2004 = ScormVersion("scorm2004", "SCORM 2004", "2004", 64000, "imsmanifest-scorm2004.xml", TEMPLATES / "xsd" / "scorm2004")


def render_scorm12(doc: Document, brand: Brand, out_dir: Path) -> Path:
    """Write <id>-scorm12.zip: a SCORM 1.2 package of the workbook."""
    return render_scorm(doc, brand, out_dir, SCORM12)


def render_scorm2004(doc: Document, brand: Brand, out_dir: Path) -> Path:
    """Write <id>-scorm2004.zip: a SCORM 2004 4th Edition package of the workbook."""
    return render_scorm(doc, brand, out_dir, SCORM2004)


def render_scorm(doc: Document, brand: Brand, out_dir: Path, version: ScormVersion, passing_score: float = PASSING_SCORE) -> Path:
    """Write one SCORM package (its suspend_data budget is checked before building: see `preflight_*`)."""
    files = package_files(doc, brand, version, passing_score)
    path = Path(out_dir) / f"{doc.workbook.id}-{version.key}.zip"
    return write_zip(path, files, build_time(doc.workbook), first=(MANIFEST,))


def preflight_scorm12(doc: Document) -> list[Problem]:
    """Problems the build reports before rendering SCORM 1.2 (--strict makes them errors)."""
    return [problem for problem in [suspend_data_problem(doc, SCORM12)] if problem]


def preflight_scorm2004(doc: Document) -> list[Problem]:
    """Problems the build reports before rendering SCORM 2004 (--strict makes them errors)."""
    return [problem for problem in [suspend_data_problem(doc, SCORM2004)] if problem]


# Both SCORM versions carry the same pages: when one process builds both, render them once.
_PAGES_CACHE: dict[tuple[int, int], tuple[Document, Brand, dict[str, bytes]]] = {}


def _scorm_pages(doc: Document, brand: Brand) -> dict[str, bytes]:
    key = (id(doc), id(brand))
    cached = _PAGES_CACHE.get(key)
    # The objects are kept in the entry so their ids cannot be reused while it lives.
    if cached is None or cached[0] is not doc or cached[1] is not brand:
        _PAGES_CACHE.clear()
        cached = _PAGES_CACHE[key] = (doc, brand, pages.render_pages(doc, brand, pages.SCORM))
    return cached[2]


def package_files(doc: Document, brand: Brand, version: ScormVersion, passing_score: float = PASSING_SCORE) -> dict[str, bytes]:
    """Every file of the package, by its path in the zip."""
    content = dict(_scorm_pages(doc, brand))
    for reserved in (LAUNCH_PAGE, RUNTIME, MANIFEST):
        if reserved in content:
            raise RuntimeError(f"the SCORM pages include {reserved}, which the package needs for itself")
    config = runtime_config(doc, version, passing_score)
    content[RUNTIME] = _runtime_script(config)
    content[LAUNCH_PAGE] = _environment().get_template("scorm-launch.html").render(
        title=doc.title, lang=doc.workbook.lang, first_page=f"{doc.pages[0].slug}.html", runtime=RUNTIME,
    ).encode("utf-8")
    schemas = {path.name: path.read_bytes() for path in sorted(version.xsd_folder.iterdir()) if path.suffix in (".xsd", ".dtd")}
    clash = set(schemas) & set(content)
    if clash:
        raise RuntimeError(f"the SCORM pages include {', '.join(sorted(clash))}, names the schema files need at the package root")
    content[MANIFEST] = manifest(doc, version, sorted(content), passing_score)
    content.update(schemas)
    return content


# --- the manifest -----------------------------------------------------------


def manifest(doc: Document, version: ScormVersion, files: list[str], passing_score: float = PASSING_SCORE) -> bytes:
    """imsmanifest.xml for one SCO that launches the workbook at its launcher page."""
    workbook = doc.workbook
    scored = bool(doc.all_statements())
    title = doc.title
    package = {
        "identifier": workbook.id,
        "version": workbook.version,
        "lang": workbook.lang,
        "title": title,
        "description": _description(workbook.meta) or title,
        "organization": f"{workbook.id}-organization",
        # SCORM 1.2's masteryscore is on the 0-100 scale of cmi.core.score.raw,
        # which the runtime reports as a percentage for that reason.
        "mastery_score": round(passing_score * 100) if scored else None,
        "passing_score": f"{passing_score:g}",
        "files": [name for name in files if name != MANIFEST],
        "scos": [{
            "item": f"{workbook.id}-item",
            "resource": f"{workbook.id}-sco",
            "title": title,
            "href": LAUNCH_PAGE,
            "scored": scored,
        }],
    }
    return _environment().get_template(version.manifest_template).render(package=package).encode("utf-8")


def _description(meta: model.Meta) -> str:
    """The summary, else the subtitle: what an LMS catalogue shows under the title."""
    return _one_line(model.plain_text(meta.summary)) or _one_line(model.plain_text(meta.subtitle))


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


# --- the runtime and its state budget ----------------------------------------


def runtime_config(doc: Document, version: ScormVersion, passing_score: float = PASSING_SCORE) -> dict:
    """What scorm-runtime.js needs to know about this workbook, in document order.

    Questions and statements are listed in order because the compact state
    stored in suspend_data names them by index, not by id.
    """
    slugs = [page.slug for page in doc.pages]
    questions = doc.all_questions()
    statements = doc.all_statements()
    layout = json.dumps([slugs, [q.id for q in questions], [s.id for s in statements]]).encode("utf-8")
    return {
        "version": version.api,
        "workbook": doc.workbook.id,
        "title": doc.title,
        # Which pages, questions and statements the indices refer to: a package
        # with another layout does not read a state saved by this one.
        "layout": hashlib.sha256(layout).hexdigest()[:8],
        "pages": slugs,
        "questions": [[question.id, _one_line(model.plain_text(question.content))] for question in questions],
        "statements": [[statement.id, doc.answer_for(statement).value, _one_line(model.plain_text(statement.content))] for statement in statements],
        "passingScore": passing_score,
        "suspendDataLimit": version.suspend_data_limit,
    }


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _runtime_script(config: dict) -> bytes:
    data = json.dumps(config, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    body = (TEMPLATES / "scorm-runtime.js").read_text(encoding="utf-8")
    return f"window.WorkbookScormConfig = {data};\n{body}".encode("utf-8")


def compact_state(config: dict, state: dict) -> str:
    """The suspend_data text for a learner state: the same format scorm-runtime.js writes.

    {"v":1,"k":layout,"p":page index,"s":visited pages as a hex bitmask,"q":one of
    t/f/- per statement,"c":1 if the quiz was checked,"a":{question index: answer}};
    the runtime adds "x":[question indices] for answers kept only in localStorage.
    """
    slugs = config["pages"]
    visited = sum(1 << slugs.index(slug) for slug in set(state.get("visited", ())) if slug in slugs)
    quiz = state.get("quiz", {})
    questions = [question_id for question_id, _ in config["questions"]]
    answers = state.get("answers", {})
    compact = {
        "v": 1,
        "k": config["layout"],
        "p": slugs.index(state["page"]) if state.get("page") in slugs else 0,
        "s": format(visited, "x"),
        "q": "".join({True: "t", False: "f"}.get(quiz.get(statement_id), "-") for statement_id, _, _ in config["statements"]),
        "c": 1 if state.get("checked") else 0,
        "a": {str(index): answers[qid] for index, qid in enumerate(questions) if answers.get(qid)},
    }
    return json.dumps(compact, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class SuspendDataBudget:
    limit: int
    questions: int
    fixed: int  # characters everything but the answers' text takes, at worst
    per_answer: int | None  # characters of plain text every answer can have; None with no questions


def suspend_data_budget(doc: Document, version: ScormVersion) -> SuspendDataBudget:
    """The worst case: every page visited, the last page bookmarked, the quiz checked, every question answered."""
    config = runtime_config(doc, version)
    questions = [question_id for question_id, _ in config["questions"]]
    state = {
        "page": config["pages"][-1],
        "visited": config["pages"],
        "quiz": {statement_id: False for statement_id, _, _ in config["statements"]},
        "checked": True,
        "answers": {question_id: "_" for question_id in questions},
    }
    fixed = len(compact_state(config, state)) - len(questions)
    if not questions:
        return SuspendDataBudget(version.suspend_data_limit, 0, fixed, None)
    per_answer = max(0, (version.suspend_data_limit - fixed) // len(questions))
    return SuspendDataBudget(version.suspend_data_limit, len(questions), fixed, per_answer)


def suspend_data_problem(doc: Document, version: ScormVersion) -> Problem | None:
    """A warning when answers of a reasonable length cannot all fit in suspend_data."""
    budget = suspend_data_budget(doc, version)
    if budget.per_answer is None or budget.per_answer >= REASONABLE_ANSWER_CHARS:
        return None
    where = doc.workbook.loc or model.SourceLocation(f"{doc.workbook.id}")
    where = model.SourceLocation(where.file)
    advice = f"use {SCORM2004.label} ({SCORM2004.suspend_data_limit:,} characters) or fewer questions" if version is SCORM12 else "use fewer questions"
    return warning(
        where,
        f"{version.label} keeps {budget.limit:,} characters of learner state (suspend_data); with "
        f"{budget.questions} questions only {budget.per_answer:,} characters per answer fit, fewer than a "
        f"reasonable {REASONABLE_ANSWER_CHARS:,}. Answers that do not fit are kept only in the learner's browser, "
        f"and the learner is told and offered a download; {advice}",
        "scorm.suspend-data-budget",
    )
