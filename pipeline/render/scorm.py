"""SCORM 1.2 and SCORM 2004 4th Edition packages: the SCORM pages + launchers + imsmanifest.xml + the XSDs, zipped.

By default (publish.json "scos": "single") one SCO launches `scorm-launch.html`,
which holds the LMS session for the whole visit and shows the workbook pages in
a frame. The pages come from the shared page renderer (profile SCORM) and load
`assets/scorm-runtime.js` before `workbook.js`: in a page, the runtime hands
workbook.js a store backed by the launcher's session; in the launcher, it finds
the LMS API, reports progress, quiz and place, and keeps the learner's state in
suspend_data (and, always, in full in localStorage). One LMS session per visit
matters: pages reloading one after another cannot each Initialize and Terminate.

With "scos": "per-section" each top-level section is a SCO of its own, launched
by its own `scorm-launch-<slug>.html` (the same launcher, told which SCO it is):
the same pages, runtime and state format, each SCO keeping only its section's
pages, questions and statements (see `scos`). The contents page belongs to no
SCO: the LMS's menu of items takes its place.

The manifest's identifiers carry the brand's name and its description the
council's, so two councils' packages of one workbook never pass for versions
of each other in an LMS.

The learner state is compacted for suspend_data (see `compact_state`); the
build warns when answers of a reasonable length cannot fit in a SCO's.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import jinja2

from .. import model
from ..brand import Brand
from ..i18n import Language
from ..package import write_zip
from ..problems import Problem, warning
from ..publish import SCOS_PER_SECTION
from ..reproducible import build_time
from ..resolve import Document
from . import pages
from .theme import TEMPLATES_ROOT, template_environment

TEMPLATES = TEMPLATES_ROOT / "scorm"
MANIFEST = "imsmanifest.xml"
LAUNCH_PAGE = "scorm-launch.html"
RUNTIME = "assets/scorm-runtime.js"
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


def render_scorm12(doc: Document, brand: Brand, output: Path) -> None:
    """Write a SCORM 1.2 package of the workbook to `output`."""
    render_scorm(doc, brand, output, SCORM12)


def render_scorm2004(doc: Document, brand: Brand, output: Path) -> None:
    """Write a SCORM 2004 4th Edition package of the workbook to `output`."""
    render_scorm(doc, brand, output, SCORM2004)


def render_scorm(doc: Document, brand: Brand, output: Path, version: ScormVersion) -> None:
    """Write one SCORM package as doc.publish says (its suspend_data budget is checked before building: see `preflight_*`)."""
    write_zip(Path(output), package_files(doc, brand, version), build_time(doc.workbook), first=(MANIFEST,))


def preflight_scorm12(doc: Document) -> list[Problem]:
    """Problems the build reports before rendering SCORM 1.2 (--strict makes them errors)."""
    return [problem for problem in [suspend_data_problem(doc, SCORM12)] if problem]


def preflight_scorm2004(doc: Document) -> list[Problem]:
    """Problems the build reports before rendering SCORM 2004 (--strict makes them errors)."""
    return [problem for problem in [suspend_data_problem(doc, SCORM2004)] if problem]


# --- the SCOs ----------------------------------------------------------------


@dataclass(frozen=True)
class Sco:
    """One SCO of a package: what the LMS launches, and tracks, on its own."""

    key: str | None  # its section's page slug in a per-section package; None: the whole workbook
    item: str  # the manifest <item> identifier (what SCORM 2004 navigation requests name)
    resource: str  # the manifest <resource> identifier
    title: str
    launch: str  # its launcher page
    pages: tuple[str, ...]  # slugs, in reading order
    questions: tuple[model.Question, ...]
    statements: tuple[model.Statement, ...]
    choices: tuple[model.Choice, ...] = ()
    checklists: tuple[model.Checklist, ...] = ()
    scales: tuple[model.RatingScale, ...] = ()

    @property
    def scored(self) -> bool:
        """A SCO reports a score when its pages hold quiz statements or choices (they are checked there)."""
        return bool(self.statements or self.choices)


def scos(doc: Document, brand: Brand | None = None) -> tuple[Sco, ...]:
    """The SCOs of doc's packages, in reading order: the whole workbook, or one per top-level section.

    Their identifiers start with `package_identifier(doc, brand)`; without a
    brand (the preflight checks, which need no identifiers) with the workbook's id.
    """
    if doc.publish.scorm.scos != SCOS_PER_SECTION or not doc.workbook.sections:
        return (whole_workbook_sco(doc, brand),)
    prefix = package_identifier(doc, brand)
    return tuple(
        Sco(
            key=page.slug,
            item=f"{prefix}-item-{page.slug}",
            resource=f"{prefix}-sco-{page.slug}",
            title=page.title,
            launch=f"scorm-launch-{page.slug}.html",
            pages=(page.slug,),
            questions=tuple(question for question in doc.all_questions() if doc.page_of.get(question.id) == page.slug),
            statements=tuple(statement for statement in doc.all_statements() if doc.page_of.get(statement.id) == page.slug),
            choices=tuple(choice for choice in doc.all_choices() if doc.page_of.get(choice.id) == page.slug),
            checklists=tuple(checklist for checklist in doc.all_checklists() if doc.page_of.get(checklist.id) == page.slug),
            scales=tuple(scale for scale in doc.all_rating_scales() if doc.page_of.get(scale.id) == page.slug),
        )
        for page in doc.pages if page.section is not None
    )


def whole_workbook_sco(doc: Document, brand: Brand | None = None) -> Sco:
    """The one SCO of a single-SCO package: every page, question and statement."""
    prefix = package_identifier(doc, brand)
    return Sco(
        key=None,
        item=f"{prefix}-item",
        resource=f"{prefix}-sco",
        title=doc.title,
        launch=LAUNCH_PAGE,
        pages=tuple(page.slug for page in doc.pages),
        questions=doc.all_questions(),
        statements=doc.all_statements(),
        choices=doc.all_choices(),
        checklists=doc.all_checklists(),
        scales=doc.all_rating_scales(),
    )


def package_identifier(doc: Document, brand: Brand | None) -> str:
    """The manifest's identifier, which starts every other: the workbook's id and the brand's name.

    An LMS that replaces a package by a new version matches identifiers: with
    the brand in them, one council's package never replaces another's. The
    brand's folder name is made an XML name (xs:ID) by turning any other
    character into "-".
    """
    if brand is None:
        return doc.workbook.id
    return f"{doc.workbook.id}-{re.sub(r'[^A-Za-z0-9._-]', '-', brand.name)}"


def package_files(doc: Document, brand: Brand, version: ScormVersion) -> dict[str, bytes]:
    """Every file of the package, by its path in the zip."""
    content = dict(pages.render_pages(doc, brand, pages.SCORM))
    package_scos = scos(doc, brand)
    for reserved in (*(sco.launch for sco in package_scos), RUNTIME, MANIFEST):
        if reserved in content:
            raise RuntimeError(f"the SCORM pages include {reserved}, which the package needs for itself")
    content[RUNTIME] = _runtime_script(script_config(doc, version, brand))
    launcher = _environment(doc.language).get_template("scorm-launch.html")
    for sco in package_scos:
        content[sco.launch] = launcher.render(
            title=doc.title if sco.key is None else f"{sco.title} – {doc.title}", lang=doc.workbook.lang,
            first_page=f"{sco.pages[0]}.html", runtime=RUNTIME, sco=sco.key,
        ).encode("utf-8")
    schemas = {path.name: path.read_bytes() for path in sorted(version.xsd_folder.iterdir()) if path.suffix in (".xsd", ".dtd")}
    clash = set(schemas) & set(content)
    if clash:
        raise RuntimeError(f"the SCORM pages include {', '.join(sorted(clash))}, names the schema files need at the package root")
    content[MANIFEST] = manifest(doc, brand, version, sorted(content))
    content.update(schemas)
    return content


# --- the manifest -----------------------------------------------------------


def manifest(doc: Document, brand: Brand, version: ScormVersion, files: list[str]) -> bytes:
    """imsmanifest.xml: an item and a resource per SCO, each launching its launcher page.

    With one SCO its resource lists every file. With a SCO per section each
    resource lists its launcher and depends on one shared asset resource that
    lists the rest, so no file is listed twice.
    """
    workbook = doc.workbook
    passing_score = doc.publish.scorm.passing_score
    package_scos = scos(doc, brand)
    identifier = package_identifier(doc, brand)
    files = [name for name in files if name != MANIFEST]
    shared = f"{identifier}-files" if package_scos[0].key is not None else None
    launchers = {sco.launch for sco in package_scos}
    any_scored = any(sco.scored for sco in package_scos)
    title = doc.title
    package = {
        "identifier": identifier,
        "version": workbook.version,
        "lang": workbook.lang,
        "title": title,
        "description": f"{_description(workbook.meta) or title} – {brand.council_name}",
        "rights": workbook.meta.rights,
        "organization": f"{identifier}-organization",
        "passing_score": _decimal(passing_score),
        "scos": [{
            "item": sco.item,
            "resource": sco.resource,
            "title": sco.title,
            "href": sco.launch,
            "scored": sco.scored,
            # SCORM 1.2's masteryscore is on the 0-100 scale of cmi.core.score.raw,
            # which the runtime reports as a percentage for that reason, and only
            # with its own passed/failed (every page seen, the quiz checked): an
            # LMS judging an earlier score against it would pass a learner who
            # has not seen every page.
            "mastery_score": round(passing_score * 100) if sco.scored else None,
            # SCORM 2004 rollup: whether the learner passed is the quiz's to say; a
            # section without one counts toward completion only. (With no quiz
            # anywhere, every SCO counts, as a single unscored SCO does.)
            "rolls_up_satisfaction": sco.scored or not any_scored,
            "files": [sco.launch] if shared else files,
            "dependency": shared,
        } for sco in package_scos],
        "shared": {"identifier": shared, "files": [name for name in files if name not in launchers]} if shared else None,
    }
    return _environment().get_template(version.manifest_template).render(package=package).encode("utf-8")


def _decimal(number: float) -> str:
    """A number as xs:decimal wants it: 0.8, never 8e-01."""
    return format(Decimal(repr(float(number))).normalize(), "f")


def _description(meta: model.Meta) -> str:
    """The summary, else the subtitle: what an LMS catalogue shows under the title."""
    return _one_line(model.plain_text(meta.summary)) or _one_line(model.plain_text(meta.subtitle))


def _environment(language: Language | None = None) -> jinja2.Environment:
    """templates/scorm (the launcher and the manifests), from the one factory: sandboxed like every other, in `language`."""
    return template_environment(TEMPLATES, language=language)


# --- the runtime and its state budget ----------------------------------------


def runtime_config(doc: Document, version: ScormVersion, sco: Sco | None = None) -> dict:
    """What scorm-runtime.js works with in one SCO (by default the whole workbook), in document order.

    Questions and statements are listed in order because the compact state
    stored in suspend_data names them by index, not by id. The runtime
    narrows the package's config to a SCO exactly as this does (see
    `script_config`), so the two agree on every index and on the layout.
    """
    sco = sco or whole_workbook_sco(doc)
    slugs = list(sco.pages)
    kinds = _answer_kinds_config(sco)
    # The new kinds' ids join the layout only when there are any: a package without
    # them keeps the layout it had, so its learners' saved state still resumes.
    layout_ids = [slugs, [q.id for q in sco.questions], [s.id for s in sco.statements]]
    if any(kinds.values()):
        layout_ids.append({name: [entry[0] if name != "checklists" else [entry[0], entry[1]] for entry in entries]
                           for name, entries in kinds.items()})
    layout = json.dumps(layout_ids).encode("utf-8")
    config = {
        "version": version.api,
        "workbook": doc.workbook.id,
        "title": doc.title,
        "lang": doc.workbook.lang,
        # Which pages, questions and statements the indices refer to: a package
        # with another layout does not read a state saved by this one.
        "layout": hashlib.sha256(layout).hexdigest()[:8],
        "pages": slugs,
        "questions": [[question.id, _one_line(model.plain_text(question.content))] for question in sco.questions],
        "statements": [[statement.id, doc.answer_for(statement).value, _one_line(model.plain_text(statement.content))] for statement in sco.statements],
        "passingScore": doc.publish.scorm.passing_score,
        "suspendDataLimit": version.suspend_data_limit,
        **kinds,
    }
    if sco.key is not None:
        config["sco"] = sco.key
    return config


def _answer_kinds_config(sco: Sco) -> dict[str, list]:
    """The choices, checklists and rated statements of a SCO, as the runtime and the compact state name them.

    choices: [id, [correct option ids], [option ids], prompt, select]
    checklists: [id, [check ids], prompt, [check texts]]
    ratings: [rated statement id, number of levels, statement, scale id]
    """
    return {
        "choices": [[choice.id, list(choice.correct_ids), [option.id for option in choice.options],
                     _one_line(model.plain_text(choice.prompt)), choice.select] for choice in sco.choices],
        "checklists": [[checklist.id, [check.id for check in checklist.checks], _one_line(model.plain_text(checklist.prompt)),
                        [_one_line(model.plain_text(check.content)) for check in checklist.checks]] for checklist in sco.checklists],
        "ratings": [[statement.id, len(scale.levels), _one_line(model.plain_text(statement.content)), scale.id]
                    for scale in sco.scales for statement in scale.statements],
    }


def script_config(doc: Document, version: ScormVersion, brand: Brand) -> dict:
    """The config scorm-runtime.js is given: the whole workbook's, plus each SCO's share of it in a per-section package.

    A SCO is named by its page slug and lists indices into the whole lists
    (each question and statement is written once), with its own layout.
    The brand's name goes into the key of the browser's copy of the state
    (see `backup_key`).
    """
    config = runtime_config(doc, version)
    config["brand"] = brand.name
    package_scos = scos(doc, brand)
    if package_scos[0].key is not None:
        page_index = {slug: index for index, slug in enumerate(config["pages"])}
        question_index = {question_id: index for index, (question_id, _) in enumerate(config["questions"])}
        statement_index = {statement_id: index for index, (statement_id, _, _) in enumerate(config["statements"])}
        kind_index = {name: {entry[0]: index for index, entry in enumerate(config[name])} for name in ("choices", "checklists", "ratings")}
        config["scos"] = [{
            "id": sco.key,
            "item": sco.item,
            "layout": runtime_config(doc, version, sco)["layout"],
            "pages": [page_index[slug] for slug in sco.pages],
            "questions": [question_index[question.id] for question in sco.questions],
            "statements": [statement_index[statement.id] for statement in sco.statements],
            **{name: [kind_index[name][entry[0]] for entry in entries] for name, entries in _answer_kinds_config(sco).items()},
        } for sco in package_scos]
    return config


def backup_key(config: dict, brand_name: str, learner: str) -> str:
    """The localStorage key of a SCO's full state for a learner ("preview" without an LMS): the same key scorm-runtime.js uses.

    It names the brand, the workbook (and SCO), the SCORM version and the
    layout, so that another council's package, the other version's or an
    edition with other questions on the same LMS never reads this copy.
    """
    workbook = config["workbook"] + (f"/{config['sco']}" if config.get("sco") else "")
    scorm_version = "scorm" + config["version"].replace(".", "")
    return f"workbook-scorm:{brand_name}:{workbook}:{scorm_version}:{config['layout']}:{learner}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _runtime_script(config: dict) -> bytes:
    data = json.dumps(config, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # The launcher loads only this file: it carries the learner state's functions ahead of the runtime.
    body = (pages.TEMPLATES_DIR / "assets/workbook-state.js").read_text(encoding="utf-8") + (TEMPLATES / "scorm-runtime.js").read_text(encoding="utf-8")
    return f"window.WorkbookScormConfig = {data};\n{body}".encode("utf-8")


def compact_state(config: dict, state: dict) -> str:
    """The suspend_data text for a learner state: the same format scorm-runtime.js writes.

    {"v":2,"k":layout,"p":page index,"s":visited pages as a hex bitmask,"q":one of
    t/f/- per statement,"c":1 if the quiz was checked,"a":{question index: answer}};
    the runtime adds "x":[question indices] for answers kept only in localStorage; with
    choices, checklists or rating scales, "h", "t" and "r" (see workbook-state.js).
    """
    slugs = config["pages"]
    visited = sum(1 << slugs.index(slug) for slug in set(state.get("visited", ())) if slug in slugs)
    quiz = state.get("quiz", {})
    questions = [question_id for question_id, _ in config["questions"]]
    answers = state.get("answers", {})
    compact = {
        "v": 2,
        "k": config["layout"],
        "p": slugs.index(state["page"]) if state.get("page") in slugs else 0,
        "s": format(visited, "x"),
        "q": "".join({True: "t", False: "f"}.get(quiz.get(statement_id), "-") for statement_id, _, _ in config["statements"]),
        "c": 1 if state.get("checked") else 0,
        "a": {str(index): answers[qid] for index, qid in enumerate(questions) if answers.get(qid)},
    }
    compact.update(_compact_answer_kinds(config, state))
    return json.dumps(compact, ensure_ascii=False, separators=(",", ":"))


def _compact_answer_kinds(config: dict, state: dict) -> dict:
    """Version 2's "h", "t" and "r" (workbook-state.js compactAnswerKinds), present only when the layout has the kinds."""
    out: dict = {}
    chosen, ticked, ratings = state.get("choices", {}), state.get("checks", {}), state.get("ratings", {})
    if config.get("choices"):
        out["h"] = ["".join(_base36(index) for index, option in enumerate(options) if option in chosen.get(choice_id, ()))
                    for choice_id, _, options, _, _ in config["choices"]]
    checks = [check_id for _, check_ids, _, _ in config.get("checklists", ()) for check_id in check_ids]
    if checks:
        mask = sum(1 << index for index, check_id in enumerate(checks) if ticked.get(check_id) is True)
        out["t"] = format(mask, "x")
    if config.get("ratings"):
        out["r"] = "".join(_base36(ratings[statement_id]) if 1 <= ratings.get(statement_id, 0) <= min(levels, 35) else "-"
                           for statement_id, levels, _, _ in config["ratings"])
    return out


def _base36(number: int) -> str:
    return "0123456789abcdefghijklmnopqrstuvwxyz"[number]


@dataclass(frozen=True)
class SuspendDataBudget:
    limit: int
    questions: int
    fixed: int  # characters everything but the answers' text takes, at worst
    per_answer: int | None  # characters of plain text every answer can have; None with no questions


def suspend_data_budget(doc: Document, version: ScormVersion, sco: Sco | None = None) -> SuspendDataBudget:
    """The worst case for one SCO (by default the whole workbook): every page visited, the last bookmarked, the quiz checked, every question answered."""
    config = runtime_config(doc, version, sco)
    questions = [question_id for question_id, _ in config["questions"]]
    state = {
        "page": config["pages"][-1],
        "visited": config["pages"],
        "quiz": {statement_id: False for statement_id, _, _ in config["statements"]},
        "checked": True,
        "answers": {question_id: "_" for question_id in questions},
        # Every option chosen, every check ticked and every statement rated: the longest they can be.
        "choices": {choice_id: options for choice_id, _, options, _, _ in config["choices"]},
        "checks": {check_id: True for _, check_ids, _, _ in config["checklists"] for check_id in check_ids},
        "ratings": {statement_id: levels for statement_id, levels, _, _ in config["ratings"]},
    }
    fixed = len(compact_state(config, state)) - len(questions)
    if not questions:
        return SuspendDataBudget(version.suspend_data_limit, 0, fixed, None)
    per_answer = max(0, (version.suspend_data_limit - fixed) // len(questions))
    return SuspendDataBudget(version.suspend_data_limit, len(questions), fixed, per_answer)


def suspend_data_problem(doc: Document, version: ScormVersion) -> Problem | None:
    """A warning when answers of a reasonable length cannot all fit in the suspend_data of every SCO (the tightest is named)."""
    budgets = [(suspend_data_budget(doc, version, sco), sco) for sco in scos(doc)]
    budgets = [(budget, sco) for budget, sco in budgets if budget.per_answer is not None]
    if not budgets:
        return None
    budget, sco = min(budgets, key=lambda pair: pair[0].per_answer)
    if budget.per_answer >= REASONABLE_ANSWER_CHARS:
        return None
    where = doc.workbook.loc or model.SourceLocation(f"{doc.workbook.id}")
    where = model.SourceLocation(where.file)
    advice = f"use {SCORM2004.label} ({SCORM2004.suspend_data_limit:,} characters) or fewer questions" if version is SCORM12 else "use fewer questions"
    holder, questions = "", f"{budget.questions} questions"
    if sco.key is not None:
        holder, questions = " in each SCO", f"{budget.questions} questions in section '{sco.key}'"
        advice += " there"
    return warning(
        where,
        f"{version.label} keeps {budget.limit:,} characters of learner state (suspend_data){holder}; with "
        f"{questions} only {budget.per_answer:,} characters per answer fit, fewer than a "
        f"reasonable {REASONABLE_ANSWER_CHARS:,}. Answers that do not fit are kept only in the learner's browser, "
        f"and the learner is told and offered a download; {advice}",
        "scorm.suspend-data-budget",
    )
