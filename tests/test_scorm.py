"""SCORM 1.2 and 2004: valid manifests, packages an LMS (scorm-again) plays, tracks and resumes, and rebuilds byte for byte;
publish.json's settings (the passing score, one SCO or one per section) and the per-section packages."""
from __future__ import annotations

import collections
import dataclasses
import json
import shutil
import sys
import subprocess
import re
import zipfile
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from pipeline.load import load_source
from pipeline import model, publish
from pipeline.brand import load_brand
from pipeline.build import PROJECT_ROOT, build_workbook, load_document
from pipeline.publish import PublishConfig, ScormSettings, load_publish_config
from pipeline.formats import render_into
from pipeline.render import scorm
from tests.sources_support import SOURCES
from tests.validators import format_findings, scorm_player, scorm_xsd, vnu

VERSIONS = {"1.2": scorm.SCORM12, "2004": scorm.SCORM2004}
PACKAGES = [(name, version) for name in SOURCES for version in VERSIONS]
PACKAGE_IDS = [f"{name}-scorm{version.replace('.', '')}" for name, version in PACKAGES]
BY_PACKAGE = pytest.mark.parametrize("name, version", PACKAGES, ids=PACKAGE_IDS)
OFFICIAL_XSDS = {
    "1.2": scorm_xsd.SCHEMA_ROOT / "scorm12edition",
    "2004": scorm_xsd.SCHEMA_ROOT / "scorm20044thedition",
}



def percent(right: int, total: int) -> str:
    """The SCORM 1.2 raw score the runtime reports: a percentage to two decimals, as JavaScript prints it."""
    return format(round(right / total * 10000) / 100, "g")

@pytest.fixture(scope="session")
def packages(tmp_path_factory, documents, brand) -> dict[tuple[str, str], Path]:
    """Every package, built once for the session."""
    out = tmp_path_factory.mktemp("scorm")
    return {(name, version): render_into(VERSIONS[version].key, documents[name], brand, out) for name, version in PACKAGES}


def read_manifest(package: Path) -> etree._Element:
    with zipfile.ZipFile(package) as archive:
        return etree.fromstring(archive.read("imsmanifest.xml"))


# --- the manifest ------------------------------------------------------------------


@BY_PACKAGE
def test_manifest_is_valid_against_the_official_schemas(packages, name, version):
    problems = scorm_xsd.validate_package(packages[name, version], version)
    assert problems == [], "\n".join(problems)


@BY_PACKAGE
def test_manifest_names_the_workbook_and_launches_one_sco(packages, documents, brand, name, version):
    doc = documents[name]
    root = read_manifest(packages[name, version])
    ns = {"cp": etree.QName(root).namespace}
    assert root.get("identifier") == f"{doc.workbook.id}-default"
    assert root.find("cp:organizations/cp:organization", ns).get("identifier") == f"{doc.workbook.id}-default-organization"
    assert root.findtext("cp:organizations/cp:organization/cp:title", namespaces=ns) == doc.title
    items = root.findall(".//cp:item", ns)
    assert [item.get("identifier") for item in items] == [f"{doc.workbook.id}-default-item"]
    assert scorm_xsd.launch_href(etree.tostring(root)) == scorm.LAUNCH_PAGE
    description = " ".join(model.plain_text(doc.workbook.meta.summary).split())
    general = next(element for element in root.iter() if isinstance(element.tag, str) and etree.QName(element).localname == "general")
    texts = [element.text for element in general.iter() if isinstance(element.tag, str) and etree.QName(element).localname in ("langstring", "string")]
    assert texts == [doc.title, f"{description} – {brand.council_name}"]
    # The rights (issue 12), in the LOM's own rights element when the workbook has them.
    rights = [element for element in root.iter() if isinstance(element.tag, str) and etree.QName(element).localname == "rights"]
    assert len(rights) == (1 if doc.workbook.meta.rights else 0)
    for element in rights:
        description = next(child for child in element if etree.QName(child).localname == "description")
        assert " ".join("".join(description.itertext()).split()) == doc.workbook.meta.rights


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("scos", [publish.SCOS_SINGLE, publish.SCOS_PER_SECTION])
def test_manifest_identifiers_and_description_are_each_councils_own(tmp_path, documents, brand, version, scos):
    # An LMS replacing a package by a new version matches identifiers: two councils' packages must not match.
    doc = dataclasses.replace(documents["kitchen-sink"], publish=PublishConfig(ScormSettings(scos=scos)))
    other, problems = load_brand(PROJECT_ROOT / "brands" / "northshire")
    assert other is not None, problems
    found = {}
    for each in (brand, other):
        package = render_into(VERSIONS[version].key, doc, each, tmp_path / each.name)
        assert scorm_xsd.validate_package(package, version) == []
        root = read_manifest(package)
        identifiers = [element.get("identifier") for element in root.iter()
                       if isinstance(element.tag, str) and etree.QName(element).localname in ("manifest", "organization", "item", "resource")]
        assert identifiers and all(identifier.startswith(f"kitchen-sink-{each.name}-") or identifier == f"kitchen-sink-{each.name}"
                                   for identifier in identifiers)
        description = [element.text for element in root.iter() if isinstance(element.tag, str) and etree.QName(element).localname in ("langstring", "string")][1]
        assert description.endswith(f" – {each.council_name}")
        # The runtime is told the items' identifiers (SCORM 2004 choice requests name them).
        assert [sco["item"] for sco in script_config(package).get("scos", [])] == [
            sco.item for sco in scorm.scos(doc, each) if sco.key is not None]
        found[each.name] = set(identifiers)
    assert not found[brand.name] & found[other.name]


@BY_PACKAGE
def test_manifest_passing_score_matches_the_runtime(packages, documents, name, version):
    root = read_manifest(packages[name, version])
    passing_score = documents[name].publish.scorm.passing_score
    if version == "1.2":
        found = [element.text for element in root.iter(f"{{{scorm_xsd.NS12['adlcp']}}}masteryscore")]
        assert found == [str(round(passing_score * 100))]
    else:
        found = [element.text for element in root.iter(f"{{{scorm_xsd.NS2004['imsss']}}}minNormalizedMeasure")]
        assert found == [f"{passing_score:g}"]
        primary = next(root.iter(f"{{{scorm_xsd.NS2004['imsss']}}}primaryObjective"))
        assert primary.get("satisfiedByMeasure") == "true"


@BY_PACKAGE
def test_package_ships_the_official_schema_files_at_its_root(packages, name, version):
    root = read_manifest(packages[name, version])
    locations = root.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation").split()[1::2]
    with zipfile.ZipFile(packages[name, version]) as archive:
        names = set(archive.namelist())
        assert set(locations) <= names
        for official in sorted(OFFICIAL_XSDS[version].iterdir()):
            assert archive.read(official.name) == official.read_bytes(), f"{official.name} differs from the official file"


@BY_PACKAGE
def test_every_file_of_the_package_is_listed_in_the_manifest(packages, name, version):
    root = read_manifest(packages[name, version])
    ns = {"cp": etree.QName(root).namespace}
    listed = {file.get("href") for file in root.iterfind(".//cp:resource/cp:file", ns)}
    with zipfile.ZipFile(packages[name, version]) as archive:
        names = archive.namelist()
    assert names[0] == "imsmanifest.xml"
    schemas = {path.name for path in OFFICIAL_XSDS[version].iterdir()}
    assert listed == set(names) - schemas - {"imsmanifest.xml"}


@pytest.mark.slow
def test_launch_page_is_valid_html(tmp_path, packages, section_packages):
    with zipfile.ZipFile(packages["kitchen-sink", "1.2"]) as archive:
        launch = tmp_path / scorm.LAUNCH_PAGE
        launch.write_bytes(archive.read(scorm.LAUNCH_PAGE))
    # A per-section package's launchers are the same page, told which SCO they are.
    with zipfile.ZipFile(section_packages["kitchen-sink", "1.2"]) as archive:
        section_launch = tmp_path / "scorm-launch-practice.html"
        section_launch.write_bytes(archive.read(section_launch.name))
    findings = vnu.check_html([launch, section_launch])
    assert findings == [], format_findings(findings)


@BY_PACKAGE
def test_every_page_carries_the_alert_hidden_and_styled_by_the_stylesheet(packages, name, version):
    with zipfile.ZipFile(packages[name, version]) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    pages_of_package = [href for href in files if href.endswith(".html") and href != scorm.LAUNCH_PAGE]
    assert pages_of_package
    alerts = {href: lxml.html.fromstring(files[href]).xpath("//main/*[1][@data-scorm-alert]") for href in pages_of_package}
    assert {href: len(found) for href, found in alerts.items()} == {href: 1 for href in pages_of_package}
    for [alert] in alerts.values():
        assert (alert.get("role"), alert.get("hidden"), alert.xpath(".//@style")) == ("alert", "", [])
        assert alert.xpath(".//button[@data-scorm-download]/text()") == ["Download your answers (text file)"]
    assert b".scorm-alert {" in files["assets/workbook.css"]
    assert b".style" not in files[scorm.RUNTIME]


# --- reproducible builds ------------------------------------------------------------


@BY_PACKAGE
def test_rebuild_is_byte_identical(tmp_path, packages, documents, brand, name, version):
    again = render_into(VERSIONS[version].key, documents[name], brand, tmp_path)
    assert again.name == packages[name, version].name
    assert again.read_bytes() == packages[name, version].read_bytes()


def test_build_registry_writes_both_packages(tmp_path, documents, brand):
    doc = documents["kitchen-sink"]
    assert render_into("scorm12", doc, brand, tmp_path) == tmp_path / "kitchen-sink-scorm12.zip"
    assert render_into("scorm2004", doc, brand, tmp_path) == tmp_path / "kitchen-sink-scorm2004.zip"


# --- the suspend_data budget ----------------------------------------------------------


def test_budget_warns_when_answers_of_reasonable_length_cannot_fit_in_scorm12(tmp_path, documents):
    doc = documents["commissioning-services"]
    budget = scorm.suspend_data_budget(doc, scorm.SCORM12)
    assert budget.questions == len(doc.all_questions()) == 19
    assert budget.per_answer == (4096 - budget.fixed) // 19
    expected = (
        f"{SOURCES['commissioning-services']}: warning: SCORM 1.2 keeps 4,096 characters of learner state (suspend_data); "
        f"with 19 questions only {budget.per_answer} characters per answer fit, fewer than a reasonable 1,000. "
        "Answers that do not fit are kept only in the learner's browser, and the learner is told and offered "
        "a download; use SCORM 2004 (64,000 characters) or fewer questions [scorm.suspend-data-budget]"
    )
    assert [str(problem) for problem in scorm.preflight_scorm12(doc)] == [expected]
    # The build shows it before rendering, and --strict makes it stop the build.
    command = [sys.executable, "-m", "pipeline", "build", str(SOURCES["commissioning-services"]), "--format", "scorm12", "--out", str(tmp_path)]
    shown = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert shown.returncode == 0 and expected in shown.stderr.splitlines()
    strict = subprocess.run(command + ["--strict", "--force"], capture_output=True, text=True, timeout=300)
    assert strict.returncode == 2 and expected in strict.stderr.splitlines()


# Not the kitchen sink in 1.2: since it holds every answer kind, its four typed answers share
# 994 characters each of 1.2's 4096, under REASONABLE_ANSWER_CHARS, and the warning is right.
@pytest.mark.parametrize("name, version", [("commissioning-services", "2004"), ("scrutiny-skills", "1.2"), ("kitchen-sink", "2004")])
def test_budget_is_quiet_when_answers_fit(documents, name, version):
    doc = documents[name]
    assert scorm.suspend_data_budget(doc, VERSIONS[version]).per_answer >= scorm.REASONABLE_ANSWER_CHARS
    preflight = scorm.preflight_scorm12 if version == "1.2" else scorm.preflight_scorm2004
    assert preflight(doc) == []


def test_budget_is_exact_for_the_worst_case(documents):
    doc = documents["commissioning-services"]
    budget = scorm.suspend_data_budget(doc, scorm.SCORM12)
    config = scorm.runtime_config(doc, scorm.SCORM12)
    worst = {
        "page": config["pages"][-1], "visited": config["pages"], "checked": True,
        "quiz": {statement_id: True for statement_id, _, _ in config["statements"]},
        "answers": {question_id: "x" * budget.per_answer for question_id, _ in config["questions"]},
    }
    text = scorm.compact_state(config, worst)
    assert len(text) <= 4096
    worst["answers"] = {question_id: "x" * (budget.per_answer + 1) for question_id, _ in config["questions"]}
    assert len(scorm.compact_state(config, worst)) > 4096


# --- in an LMS: scorm-again in Chromium -------------------------------------------------

# Answers with what breaks naive storage: quotes, backslashes, new lines, markup, JSON, non-ASCII.
TRICKY = 'He said "commission", not \\"procure\\" – café <b>&amp;</b> </script> {"a":1}\nSecond line\n\n\tand a tab 😀'
FRAME = "workbook"  # the name of the launcher's frame that shows the pages
RIGHT = {"commissioning-services": 7, "kitchen-sink": 2, "scrutiny-skills": 1, "answers": 1}  # quiz statements the scripted learner gets right


def right_choices(config: dict) -> int:
    """Choices the scripted learner gets right: all but the last (when there are two or more)."""
    return len(config["choices"]) - (len(config["choices"]) > 1)


def planned_state(doc, answer_length: int | None = None, checked: bool = True) -> dict:
    """What the scripted learner does: every question answered, the quiz with RIGHT[...] right (and checked, unless not), bookmark on the first question's page."""
    config = scorm.runtime_config(doc, scorm.SCORM12)
    name = "commissioning-services" if doc.workbook.id == "commissioning-services" else doc.workbook.id
    answers = {}
    for index, (question_id, _) in enumerate(config["questions"]):
        text = f"Answer {index + 1} to {question_id}: {TRICKY}"
        if answer_length is not None:
            text = (text + " " + "lorem ipsum " * answer_length)[:answer_length]
        answers[question_id] = text
    quiz = {statement_id: expected if index < RIGHT[name] else not expected
            for index, (statement_id, expected, _) in enumerate(config["statements"])}
    bookmark = doc.page_of[config["questions"][0][0]]
    # Choices: right but for the last; the first check of each checklist ticked; each statement rated a level higher.
    choices = {}
    for index, (choice_id, correct, options, _, _) in enumerate(config["choices"]):
        wrong = [option for option in options if option not in correct]
        choices[choice_id] = list(correct) if index < right_choices(config) else wrong[:1]
    checks = {check_ids[0]: True for _, check_ids, _, _ in config["checklists"]}
    ratings = {statement_id: min(index + 1, levels) for index, (statement_id, levels, _, _) in enumerate(config["ratings"])}
    return {"v": 2, "answers": answers, "quiz": quiz, "choices": choices, "checks": checks, "ratings": ratings,
            "checked": checked, "visited": config["pages"], "page": bookmark}


def content_frame(page):
    frame = page.frame(name=FRAME)
    assert frame is not None, "the launcher shows no workbook frame"
    frame.wait_for_load_state("load")
    return frame


def offered_download(page, frame) -> tuple[str, bytes] | None:
    """What the SCORM alert's download button gives: the file's name and bytes (None when no alert shows)."""
    button = frame.locator("[data-scorm-download]")
    if not button.count() or not button.is_visible():
        return None
    with page.expect_download() as download:
        button.click()
    return download.value.suggested_filename, Path(download.value.path()).read_bytes()


def download_text(offered: tuple[str, bytes] | None) -> str | None:
    """The text of a download, its byte order mark left out and its CRLF line ends read as \n."""
    return None if offered is None else offered[1].decode("utf-8-sig").replace("\r\n", "\n")


def scripted_learner(doc, plan: dict, seen: dict):
    """Visit every page in order with Next, type every answer, answer each quiz (and check it, if planned), then go back to the bookmark."""
    def learner(page, _sco):
        frame = content_frame(page)
        for index, workbook_page in enumerate(doc.pages):
            assert frame.url.endswith(f"/{workbook_page.slug}.html"), frame.url
            for box in frame.locator("textarea[data-question]").all():
                box.fill(plan["answers"][box.get_attribute("data-question")])
            for quiz in frame.locator("[data-quiz]").all():
                for statement in quiz.locator("[data-statement]").all():
                    statement_id = statement.get_attribute("data-statement")
                    statement.locator(f"input[value={'true' if plan['quiz'][statement_id] else 'false'}]").check()
                for choice in quiz.locator("[data-choice]").all():
                    for option_id in plan["choices"][choice.get_attribute("data-choice")]:
                        choice.locator(f"input[value={option_id}]").check()
                if plan["checked"]:
                    quiz.locator("[data-quiz-check]").click()
            for check_id in plan["checks"]:
                if frame.locator(f"input[data-check={check_id}]").count():
                    frame.locator(f"input[data-check={check_id}]").check()
            for statement_id, level in plan["ratings"].items():
                if frame.locator(f"input[data-rating={statement_id}]").count():
                    frame.locator(f"input[data-rating={statement_id}][value='{level}']").check()
            if index + 1 < len(doc.pages):
                with frame.expect_navigation():
                    frame.locator("a[rel=next]").first.click()
        with frame.expect_navigation():
            frame.goto(frame.url.rsplit("/", 1)[0] + f"/{plan['page']}.html")
        seen["alert"] = frame.locator("[data-scorm-alert]").is_visible()
        seen["local"] = frame.evaluate("() => Object.assign({}, window.localStorage)")
        seen["offered"] = offered_download(page, frame)
        seen["download"] = download_text(seen["offered"])
    return learner


def resuming_learner(doc, seen: dict):
    """Note the page the package opens on, then every answer box and quiz choice on every page."""
    def learner(page, _sco):
        frame = content_frame(page)
        seen["opened"] = frame.url.rsplit("/", 1)[1]
        seen["answers"], seen["quiz"], seen["choices"], seen["checks"], seen["ratings"] = {}, {}, {}, {}, {}
        base = frame.url.rsplit("/", 1)[0]
        for workbook_page in doc.pages:
            with frame.expect_navigation():
                frame.goto(f"{base}/{workbook_page.slug}.html")
            for box in frame.locator("textarea[data-question]").all():
                seen["answers"][box.get_attribute("data-question")] = box.input_value()
            for statement in frame.locator("[data-statement]").all():
                checked = statement.locator("input:checked")
                seen["quiz"][statement.get_attribute("data-statement")] = checked.get_attribute("value") == "true" if checked.count() else None
            for choice in frame.locator("[data-choice]").all():
                chosen = [box.get_attribute("value") for box in choice.locator("input:checked").all()]
                if chosen:
                    seen["choices"][choice.get_attribute("data-choice")] = chosen
            for box in frame.locator("input[data-check]:checked").all():
                seen["checks"][box.get_attribute("data-check")] = True
            for box in frame.locator("input[data-rating]:checked").all():
                seen["ratings"][box.get_attribute("data-rating")] = int(box.get_attribute("value"))
    return learner


class SeededBrowser:
    """A browser whose contexts start with given localStorage entries in every origin (the player picks a new port each time)."""

    def __init__(self, browser, entries: dict[str, str]):
        self.browser, self.entries = browser, entries

    def new_context(self, **options):
        context = self.browser.new_context(**options)
        context.add_init_script(
            "(entries => { for (const [k, v] of Object.entries(entries)) { if (localStorage.getItem(k) === null) localStorage.setItem(k, v); } })"
            f"({json.dumps(self.entries)})")
        return context


def interactions(cmi: dict) -> list[dict]:
    """scorm-again keeps interactions as {"0": {...}, "1": {...}}."""
    found = cmi["interactions"]
    return [found[key] for key in sorted((key for key in found if key.isdigit()), key=int)]


def by_id(cmi: dict) -> dict[str, tuple]:
    """The interactions other than true/false, by id: (type, response, result, correct pattern or None)."""
    found = {}
    for interaction in interactions(cmi):
        if interaction["type"] == "true-false":
            continue
        response = interaction.get("student_response", interaction.get("learner_response"))
        patterns = interaction["correct_responses"]
        pattern = patterns["0"]["pattern"] if "0" in patterns else None
        found[interaction["id"]] = (interaction["type"], response, interaction["result"], pattern)
    return found


def expected_answer_interactions(config: dict, plan: dict, version: str) -> dict[str, tuple]:
    """What the LMS should hold for the plan's choices, ratings, checklists and reflections."""
    v12 = version == "1.2"
    join = ",".join if v12 else "[,]".join
    wrong = "wrong" if v12 else "incorrect"
    expected = {}
    for choice_id, correct, _, _, _ in config["choices"]:
        chosen = plan["choices"][choice_id]
        expected[choice_id] = ("choice", join(chosen), "correct" if sorted(chosen) == sorted(correct) else wrong, join(correct))
    for statement_id, _, _, _ in config["ratings"]:
        expected[statement_id] = ("likert", str(plan["ratings"][statement_id]), "neutral", None)
    for checklist_id, check_ids, _, _ in config["checklists"]:
        expected[checklist_id] = ("choice", join([check for check in check_ids if plan["checks"].get(check)]), "neutral", None)
    for question_id, _ in config["questions"]:
        line = plan["answers"][question_id].replace("\n", " \u00b6 ")
        if v12:
            sent = line if len(line) <= 255 else line[:251] + " [\u2026]"
        else:
            prefix = "{lang=" + config["lang"] + "}"
            sent = prefix + (line if len(prefix + line) <= 4000 else line[:4000 - len(prefix) - 4] + " [\u2026]")
        expected[question_id] = ("fill-in" if v12 else "long-fill-in", sent, "neutral", None)
    return expected


def set_calls(result: dict, element: str) -> list[str]:
    """Every value the SCO set for one CMI element, in order."""
    return [call["args"][1] for call in result["calls"] if call["method"] in ("LMSSetValue", "SetValue") and call["args"][0] == element]


@pytest.fixture(scope="session")
def played(packages, documents, chromium_browser):
    """One scripted first session per package, played on demand and kept for the session."""
    sessions: dict = {}

    def play(name: str, version: str):
        if (name, version) not in sessions:
            plan, seen = planned_state(documents[name]), {}
            result = scorm_player.play(packages[name, version], version, scripted_learner(documents[name], plan, seen), browser=chromium_browser)
            sessions[name, version] = plan, seen, result
        return sessions[name, version]

    return play


@pytest.mark.slow
@BY_PACKAGE
def test_lms_session_reports_completion_score_interactions_place_and_state(played, documents, name, version):
    plan, seen, result = played(name, version)
    doc = documents[name]
    cmi = result["cmi"]
    assert result["initialized"] and result["terminated"] and not result["finished_by_player"]
    assert result["missing"] == [] and result["console"] == [] and result["log"] == []
    assert [call for call in result["calls"] if call["result"] == "false"] == []
    config = scorm.runtime_config(doc, VERSIONS[version])
    statements = config["statements"]
    # The score counts statements and choices; checklists, scales and reflections are never graded.
    right, total = RIGHT[name] + right_choices(config), len(statements) + len(config["choices"])
    passing_score = doc.publish.scorm.passing_score
    expected_interactions = [
        (statement_id, "true-false", plan["quiz"][statement_id], plan["quiz"][statement_id] == value, value)
        for statement_id, value, _ in statements
    ]
    assert by_id(cmi) == expected_answer_interactions(config, plan, version)
    # Every reflection the learner typed reaches the LMS (the Commissioning workbook has 19), in the order typed.
    reflections = [i["id"] for i in interactions(cmi) if i["type"] == ("fill-in" if version == "1.2" else "long-fill-in")]
    assert reflections == [question_id for question_id, _ in config["questions"]]
    assert name != "commissioning-services" or len(reflections) == 19
    # The state in suspend_data is exactly what the build's budget calculation assumes.
    assert cmi["suspend_data"] == scorm.compact_state(config, plan)
    assert not seen["alert"]
    # Every page change commits; every page seen and the quiz checked, the attempt is over: a normal exit.
    commits = [call for call in result["calls"] if call["method"] in ("LMSCommit", "Commit")]
    assert len(commits) >= len(doc.pages)
    status = "passed" if right / total >= passing_score else "failed"
    if version == "1.2":
        core = cmi["core"]
        # The runtime says passed or failed itself (never a bare "completed" for a SCO with a quiz), and
        # scorm-again, judging the raw score against adlcp:masteryscore as an LMS should, agrees.
        assert set_calls(result, "cmi.core.lesson_status") == ["incomplete", status]
        assert core["lesson_status"] == status
        assert (core["score"]["raw"], core["score"]["min"], core["score"]["max"]) == (percent(right, total), "0", "100")
        assert core["lesson_location"] == plan["page"]
        assert set_calls(result, "cmi.core.exit") == [""]
        assert re.fullmatch(r"\d{4}:\d{2}:\d{2}\.\d{2}", set_calls(result, "cmi.core.session_time")[-1])
        found = [(i["id"], i["type"], i["student_response"] == "t", i["result"] == "correct", i["correct_responses"]["0"]["pattern"] == "t") for i in interactions(cmi) if i["type"] == "true-false"]
        assert found == expected_interactions
        assert {i["result"] for i in interactions(cmi) if i["type"] == "true-false"} <= {"correct", "wrong"}
    else:
        assert set_calls(result, "cmi.completion_status") == ["incomplete", "completed"]
        assert cmi["completion_status"] == "completed"
        assert cmi["progress_measure"] == "1"
        assert cmi["score"]["scaled"] == str(round(right / total, 4))
        assert (cmi["score"]["raw"], cmi["score"]["min"], cmi["score"]["max"]) == (str(right), "0", str(total))
        assert cmi["scaled_passing_score"] == f"{passing_score:g}"
        assert cmi["success_status"] == status
        assert cmi["location"] == plan["page"]
        assert set_calls(result, "cmi.exit") == ["normal"]
        assert re.fullmatch(r"PT\d+H\d+M\d+\.\d{2}S", cmi["session_time"])
        found = [(i["id"], i["type"], i["learner_response"] == "true", i["result"] == "correct", i["correct_responses"]["0"]["pattern"] == "true") for i in interactions(cmi) if i["type"] == "true-false"]
        assert found == expected_interactions
        assert {i["result"] for i in interactions(cmi) if i["type"] == "true-false"} <= {"correct", "incorrect"}
        # time(second,10,0) in UTC: a "Z", which the format allows only after a fraction of a second.
        assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{2}Z", i["timestamp"]) for i in interactions(cmi))
    # The full state is also in the browser, as a backup, under a key naming the brand, SCORM version and layout.
    backup = json.loads(seen["local"][scorm.backup_key(config, "default", "learner-1")])
    assert backup["state"] == plan
    assert [key for key in seen["local"] if key.startswith("workbook-scorm:")] == [scorm.backup_key(config, "default", "learner-1")]


@pytest.mark.slow
@BY_PACKAGE
def test_next_session_resumes_at_the_bookmark_with_every_answer(packages, documents, chromium_browser, name, version):
    doc = documents[name]
    # Every page seen and every answer typed, but the quiz not checked: the attempt is not over.
    plan = planned_state(doc, checked=False)
    first = scorm_player.play(packages[name, version], version, scripted_learner(doc, plan, {}), browser=chromium_browser)
    assert first["cmi"]["suspend_data"] == scorm.compact_state(scorm.runtime_config(doc, VERSIONS[version]), plan)
    if version == "1.2":
        # Not "completed" with no score: the quiz is still to be checked.
        assert set_calls(first, "cmi.core.lesson_status") == ["incomplete"]
        assert first["cmi"]["core"]["lesson_status"] == "incomplete" and first["cmi"]["core"]["score"]["raw"] == ""
        assert set_calls(first, "cmi.core.exit") == ["suspend"]
    else:
        assert set_calls(first, "cmi.completion_status") == ["incomplete"] and set_calls(first, "cmi.success_status") == []
        steps = len(doc.pages) + 1  # every page, and checking the quiz
        assert first["cmi"]["progress_measure"] == str(round(len(doc.pages) / steps, 4))
        assert set_calls(first, "cmi.exit") == ["suspend"]
    seen: dict = {}
    # A fresh browser (no localStorage): everything comes back from the LMS's data alone.
    result = scorm_player.play(packages[name, version], version, resuming_learner(doc, seen), saved_cmi=first["cmi"], browser=chromium_browser)
    assert (result["cmi"]["core"]["entry"] if version == "1.2" else result["cmi"]["entry"]) == "resume"
    assert seen["opened"] == f"{plan['page']}.html"
    assert seen["answers"] == plan["answers"]
    assert seen["quiz"] == plan["quiz"]
    assert (seen["choices"], seen["checks"], seen["ratings"]) == (plan["choices"], plan["checks"], plan["ratings"])
    assert result["console"] == []


@pytest.mark.slow
def test_answers_over_the_scorm12_budget_are_never_cut(packages, documents, chromium_browser):
    doc = documents["commissioning-services"]
    package = packages["commissioning-services", "1.2"]
    # The quiz left unchecked: the attempt is suspended, to be resumed.
    plan = planned_state(doc, answer_length=400, checked=False)
    config = scorm.runtime_config(doc, scorm.SCORM12)
    seen: dict = {}
    result = scorm_player.play(package, "1.2", scripted_learner(doc, plan, seen), browser=chromium_browser)
    # The learner is told, and offered every answer as a download: the site's file, UTF-8 with a BOM and CRLF line ends.
    assert seen["alert"]
    name, data = seen["offered"]
    assert name == "commissioning-services-my-answers.txt"
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert all(answer in seen["download"] for answer in plan["answers"].values())
    # suspend_data is a whole, valid compact state: each answer is in it in full, or marked as kept in the browser.
    suspend_data = result["cmi"]["suspend_data"]
    assert len(suspend_data) <= 4096
    compact = json.loads(suspend_data)
    kept, elsewhere = set(compact["a"]), {str(index) for index in compact["x"]}
    assert kept and elsewhere and not kept & elsewhere
    assert kept | elsewhere == {str(index) for index in range(len(config["questions"]))}
    for index, (question_id, _) in enumerate(config["questions"]):
        if str(index) in kept:
            assert compact["a"][str(index)] == plan["answers"][question_id]
    assert result["cmi"]["core"]["lesson_location"] == plan["page"]
    # localStorage holds everything.
    key = scorm.backup_key(config, "default", "learner-1")
    assert json.loads(seen["local"][key])["state"] == plan

    # Back in the same browser: every answer, from the LMS and the backup together.
    again: dict = {}
    scorm_player.play(package, "1.2", resuming_learner(doc, again), saved_cmi=result["cmi"],
                      browser=SeededBrowser(chromium_browser, {key: seen["local"][key]}))
    assert again["answers"] == plan["answers"]

    # In another browser: what the LMS kept, and the learner told about the rest.
    elsewhere_seen: dict = {}

    def learner(page, sco):
        resuming_learner(doc, elsewhere_seen)(page, sco)
        frame = content_frame(page)
        elsewhere_seen["alert"] = frame.locator("[data-scorm-alert]").inner_text() if frame.locator("[data-scorm-alert]").is_visible() else None

    scorm_player.play(package, "1.2", learner, saved_cmi=result["cmi"], browser=chromium_browser)
    questions = [question_id for question_id, _ in config["questions"]]
    assert {question_id for question_id, text in elsewhere_seen["answers"].items() if text} == {questions[int(index)] for index in kept}
    assert f"{len(elsewhere)} answers you wrote before could not be stored" in elsewhere_seen["alert"]


@pytest.mark.slow
def test_state_saved_by_a_package_with_other_questions_is_offered_not_misplaced(played, packages, documents, chromium_browser):
    doc = documents["kitchen-sink"]
    plan, _, first = played("kitchen-sink", "1.2")
    saved = json.loads(json.dumps(first["cmi"]))
    compact = json.loads(saved["suspend_data"])
    compact["k"] = "00000000"  # as if the questions had changed since
    saved["suspend_data"] = json.dumps(compact, ensure_ascii=False, separators=(",", ":"))
    seen: dict = {}

    def learner(page, sco):
        resuming_learner(doc, seen)(page, sco)
        frame = content_frame(page)
        alert = frame.locator("[data-scorm-alert]")
        seen["alert"] = alert.inner_text() if alert.is_visible() else None
        seen["download"] = download_text(offered_download(page, frame))

    scorm_player.play(packages["kitchen-sink", "1.2"], "1.2", learner, saved_cmi=saved, browser=chromium_browser)
    assert set(seen["answers"].values()) == {""}
    assert f"This workbook has changed since your last visit, so {len(plan['answers'])} answers you wrote then" in seen["alert"]
    assert all(answer in seen["download"] for answer in plan["answers"].values())


@pytest.mark.slow
def test_an_lms_that_keeps_less_than_the_standard_still_loses_nothing(packages, documents, chromium_browser):
    doc = documents["kitchen-sink"]
    plan = planned_state(doc)
    seen: dict = {}
    script = scripted_learner(doc, plan, seen)

    def learner(page, sco):
        # An LMS that keeps only 160 characters (room for the state without its answers) and says nothing when it cuts.
        page.evaluate("""() => { const set = API.LMSSetValue.bind(API);
            API.LMSSetValue = (element, value) => set(element, element === 'cmi.suspend_data' ? String(value).slice(0, 160) : value); }""")
        script(page, sco)

    result = scorm_player.play(packages["kitchen-sink", "1.2"], "1.2", learner, browser=chromium_browser)
    assert seen["alert"]
    compact = json.loads(result["cmi"]["suspend_data"])
    assert compact["a"] == {} and compact["x"] == list(range(len(plan["answers"])))
    key = scorm.backup_key(scorm.runtime_config(doc, scorm.SCORM12), "default", "learner-1")
    assert json.loads(seen["local"][key])["state"] == plan


NOT_RECORDED = ("Your progress is not being recorded by your learning system. Your answers are kept in this "
                "browser only; download them before you leave.")


@pytest.mark.slow
def test_without_an_lms_the_launcher_says_progress_is_not_recorded_and_keeps_state_in_local_storage(tmp_path, packages, documents, chromium_browser, served):
    doc = documents["kitchen-sink"]
    with zipfile.ZipFile(packages["kitchen-sink", "2004"]) as archive:
        archive.extractall(tmp_path)
    question = doc.all_questions()[0].id
    page_slug = doc.page_of[question]
    base = served(tmp_path).rstrip("/")
    context = chromium_browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base}/{scorm.LAUNCH_PAGE}")
        frame = content_frame(page)
        # Other sites open in a new tab, not in place of the workbook.
        with frame.expect_navigation():
            frame.goto(f"{base}/{doc.page_of['first-paragraph']}.html")
        link = frame.locator("a[href='https://www.local.gov.uk/']").first
        assert (link.get_attribute("target"), link.get_attribute("rel")) == ("_blank", "noopener")
        assert link.inner_text().endswith("(opens in a new tab)")
        with frame.expect_navigation():
            frame.goto(f"{base}/{page_slug}.html")
        frame.locator(f"textarea[data-question={question}]").fill(TRICKY)
        page.goto(f"{base}/{scorm.LAUNCH_PAGE}")
        frame = content_frame(page)
        assert frame.url.endswith(f"/{page_slug}.html")
        assert frame.locator(f"textarea[data-question={question}]").input_value() == TRICKY
        # Launched as a SCO with no LMS to find: the learner is told, and offered the download.
        alert = frame.locator("[data-scorm-alert]")
        assert alert.is_visible() and alert.get_attribute("role") == "alert"
        assert alert.inner_text().startswith(NOT_RECORDED)
        name, data = offered_download(page, frame)
        assert name == "kitchen-sink-my-answers.txt" and TRICKY.replace("\n", "\r\n") in data.decode("utf-8-sig")
        key = scorm.backup_key(scorm.runtime_config(doc, scorm.SCORM2004), "default", "preview")
        stored = json.loads(page.evaluate("key => localStorage.getItem(key)", key))
        assert stored["state"]["answers"] == {question: TRICKY}
        # A page opened on its own, not through the launcher, is a quiet preview with the same answers.
        page.goto(f"{base}/{page_slug}.html")
        assert page.locator(f"textarea[data-question={question}]").input_value() == TRICKY
        assert page.locator("[data-scorm-alert]").is_hidden()
        assert errors == []
    finally:
        context.close()


# --- publish.json: the workbook's build settings ----------------------------------------


def workbook_with_settings(tmp_path: Path, settings: dict | str, name: str = "kitchen-sink") -> Path:
    """A copy of a workbook's folder with the given publish.json (a dict, or its exact text); returns its workbook.xml."""
    folder = tmp_path / SOURCES[name].parent.name
    shutil.copytree(SOURCES[name].parent, folder)
    text = settings if isinstance(settings, str) else json.dumps(settings, indent=2)
    (folder / "publish.json").write_text(text, encoding="utf-8")
    return folder / "workbook.xml"


def test_publish_schema_documents_the_defaults_the_build_uses():
    schema = json.loads(publish.SCHEMA_PATH.read_text(encoding="utf-8"))
    settings = schema["properties"]["scorm"]["properties"]
    assert settings["passingScore"]["default"] == ScormSettings().passing_score
    assert settings["scos"]["default"] == ScormSettings().scos
    assert settings["scos"]["enum"] == [publish.SCOS_SINGLE, publish.SCOS_PER_SECTION]


def test_settings_come_from_publish_json_beside_the_workbook_else_the_defaults(documents):
    commissioning = documents["commissioning-services"].publish
    assert commissioning.scorm == ScormSettings(passing_score=0.8, scos="single")
    assert commissioning.file == SOURCES["commissioning-services"].parent / "publish.json"
    assert documents["kitchen-sink"].publish == publish.DEFAULT_PUBLISH


# (publish.json text, where the problem is, the message); the positions are where the offending value starts.
PUBLISH_JSON_ERRORS = {
    "unknown-key": ('{\n  "scorm": {"passingScore": 0.8, "scoes": "single"}\n}\n', "2:12",
                    "at /scorm: Additional properties are not allowed ('scoes' was unexpected); valid keys here are: "
                    "$comment, passingScore, scos [publish.schema]"),
    "wrong-type": ('{"scorm": {"passingScore": "80%"}}\n', "1:28",
                   "at /scorm/passingScore: '80%' is not of type 'number' [publish.schema]"),
    "out-of-range": ('{"scorm": {"passingScore": 80}}\n', "1:28",
                     "at /scorm/passingScore: 80 is not between 0 and 1; the passing score is the fraction of quiz statements "
                     "a learner must get right, such as 0.8 for 80% [publish.schema]"),
    "below-range": ('{"scorm": {"passingScore": -0.1}}\n', "1:28",
                    "at /scorm/passingScore: -0.1 is not between 0 and 1; the passing score is the fraction of quiz statements "
                    "a learner must get right, such as 0.8 for 80% [publish.schema]"),
    "unknown-choice": ('{"scorm": {"scos": "per-chapter"}}\n', "1:20",
                       "at /scorm/scos: 'per-chapter' is not one of ['single', 'per-section'] [publish.schema]"),
    "unknown-top-level-key": ('{"scorm": {}, "epub": {}}\n', "1:1",
                              "at /: Additional properties are not allowed ('epub' was unexpected); valid keys here are: "
                              "$comment, $schema, scorm [publish.schema]"),
    "not-json": ('{"scorm": {"passingScore": 0.8,}}\n', "1:32",
                 "not well-formed JSON: Expecting property name enclosed in double quotes [publish.syntax]"),
}


@pytest.mark.parametrize("case", PUBLISH_JSON_ERRORS)
def test_publish_json_problems_have_their_place_and_exact_message(tmp_path, case):
    text, where, message = PUBLISH_JSON_ERRORS[case]
    source = workbook_with_settings(tmp_path, text)
    config, problems = load_publish_config(source)
    assert config is None
    assert [str(problem) for problem in problems] == [f"{source.parent / 'publish.json'}:{where}: error: {message}"]


@pytest.mark.parametrize("case", ["unknown-key", "wrong-type", "out-of-range"])
def test_build_stops_on_a_bad_publish_json_with_exit_2_and_writes_nothing(tmp_path, case):
    text, where, message = PUBLISH_JSON_ERRORS[case]
    source = workbook_with_settings(tmp_path, text)
    out = tmp_path / "build"
    result = subprocess.run([sys.executable, "-m", "pipeline", "build", str(source), "--out", str(out)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2, result.stderr
    # The kitchen sink's own warnings are shown too; the one error is publish.json's.
    assert [line for line in result.stderr.splitlines() if ": error: " in line] == [f"{source.parent / 'publish.json'}:{where}: error: {message}"]
    assert not out.exists()


def test_validate_reports_a_bad_publish_json_too(tmp_path):
    text, where, message = PUBLISH_JSON_ERRORS["unknown-key"]
    source = workbook_with_settings(tmp_path, text)
    result = subprocess.run([sys.executable, "-m", "pipeline", "validate", str(source)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    assert f"{source.parent / 'publish.json'}:{where}: error: {message}" in result.stderr.splitlines()


def script_config(package: Path) -> dict:
    """The config the build gave the package's runtime (the first line of assets/scorm-runtime.js)."""
    with zipfile.ZipFile(package) as archive:
        first = archive.read(scorm.RUNTIME).decode("utf-8").split("\n", 1)[0]
    return json.loads(first.removeprefix("window.WorkbookScormConfig = ").removesuffix(";"))


def test_passing_score_from_publish_json_reaches_both_manifests_and_the_runtime(tmp_path, brand):
    source = workbook_with_settings(tmp_path, {"scorm": {"passingScore": 0.66}})
    doc = load_document(source)[0]
    assert doc.publish.scorm.passing_score == 0.66
    package12 = render_into(scorm.SCORM12.key, doc, brand, tmp_path)
    package2004 = render_into(scorm.SCORM2004.key, doc, brand, tmp_path)
    assert [element.text for element in read_manifest(package12).iter(f"{{{scorm_xsd.NS12['adlcp']}}}masteryscore")] == ["66"]
    assert [element.text for element in read_manifest(package2004).iter(f"{{{scorm_xsd.NS2004['imsss']}}}minNormalizedMeasure")] == ["0.66"]
    assert script_config(package12)["passingScore"] == script_config(package2004)["passingScore"] == 0.66


@pytest.mark.slow
@pytest.mark.parametrize("passing_score, status", [(0.6, "passed"), (0.61, "failed")])
def test_scorm2004_success_status_follows_the_passing_score_from_publish_json(tmp_path, brand, chromium_browser, passing_score, status):
    source = workbook_with_settings(tmp_path, {"scorm": {"passingScore": passing_score}})
    doc = load_document(source)[0]
    package = render_into(scorm.SCORM2004.key, doc, brand, tmp_path)
    # 2 of the kitchen sink's 3 statements and 1 of its 2 choices right: 0.6, at 0.6 and just under 0.61
    plan = planned_state(doc)
    result = scorm_player.play(package, "2004", scripted_learner(doc, plan, {}), browser=chromium_browser)
    assert result["cmi"]["score"]["scaled"] == "0.6"
    assert result["cmi"]["scaled_passing_score"] == f"{passing_score:g}"
    # Each quiz's check reports the score so far: the last, with every quiz checked, decides.
    assert set_calls(result, "cmi.success_status")[-1] == status
    assert result["cmi"]["success_status"] == status


def test_editing_publish_json_rebuilds_the_packages_with_the_new_settings(tmp_path, brand):
    source = workbook_with_settings(tmp_path, {"scorm": {"scos": "single"}})
    out = tmp_path / "build"
    first = build_workbook(source, brand, formats=("scorm2004",), out_root=out, force=False)
    assert first.built == ("scorm2004",)
    assert len(read_manifest(first.outputs["scorm2004"]).findall(f".//{{{scorm_xsd.NS2004['imscp']}}}item")) == 1
    (source.parent / "publish.json").write_text(json.dumps({"scorm": {"scos": "per-section"}}), encoding="utf-8")
    second = build_workbook(source, brand, formats=("scorm2004",), out_root=out, force=False)
    assert second.built == ("scorm2004",)
    sections = len(load_document(source)[0].workbook.sections)
    assert len(read_manifest(second.outputs["scorm2004"]).findall(f".//{{{scorm_xsd.NS2004['imscp']}}}item")) == sections > 1


# --- one SCO per section ("scos": "per-section") ------------------------------------------


def per_section(doc):
    return dataclasses.replace(doc, publish=PublishConfig(ScormSettings(scos=publish.SCOS_PER_SECTION)))


@pytest.fixture(scope="session")
def section_documents(documents):
    return {name: per_section(doc) for name, doc in documents.items()}


@pytest.fixture(scope="session")
def section_packages(tmp_path_factory, section_documents, brand) -> dict[tuple[str, str], Path]:
    """Every per-section package, built once for the session."""
    out = tmp_path_factory.mktemp("scorm-per-section")
    return {(name, version): render_into(VERSIONS[version].key, section_documents[name], brand, out) for name, version in PACKAGES}


def quiz_section(doc) -> str:
    return doc.page_of[doc.all_statements()[0].id]


@BY_PACKAGE
def test_per_section_manifest_is_valid_against_the_official_schemas(section_packages, name, version):
    problems = scorm_xsd.validate_package(section_packages[name, version], version)
    assert problems == [], "\n".join(problems)


@BY_PACKAGE
def test_per_section_manifest_has_an_item_launching_each_sections_sco(section_packages, section_documents, name, version):
    doc = section_documents[name]
    package = section_packages[name, version]
    root = read_manifest(package)
    ns = {"cp": etree.QName(root).namespace}
    sections = [page for page in doc.pages if page.section is not None]
    items = root.findall("cp:organizations/cp:organization/cp:item", ns)
    assert [(item.get("identifier"), item.findtext("cp:title", namespaces=ns)) for item in items] == [
        (f"{doc.workbook.id}-default-item-{page.slug}", page.title) for page in sections]
    with zipfile.ZipFile(package) as archive:
        manifest_bytes = archive.read("imsmanifest.xml")
        for page in sections:
            launch = scorm_xsd.launch_href(manifest_bytes, f"{doc.workbook.id}-default-item-{page.slug}")
            assert launch == f"scorm-launch-{page.slug}.html"
            assert f'data-scorm-sco="{page.slug}"' in archive.read(launch).decode("utf-8")
        names = archive.namelist()
    assert scorm.LAUNCH_PAGE not in names
    # Each SCO lists its launcher and depends on one shared asset resource: every file is listed once.
    listed = collections.Counter(file.get("href") for file in root.iterfind(".//cp:resource/cp:file", ns))
    schemas = {path.name for path in OFFICIAL_XSDS[version].iterdir()}
    assert set(listed) == set(names) - schemas - {"imsmanifest.xml"} and set(listed.values()) == {1}
    dependencies = {dependency.get("identifierref") for dependency in root.iterfind(".//cp:resource/cp:dependency", ns)}
    assert dependencies == {f"{doc.workbook.id}-default-files"}
    # Only the sections with a quiz (statements or choices) are scored; the others count toward completion alone.
    quiz_items = [f"{doc.workbook.id}-default-item-{sco.key}" for sco in scorm.scos(doc) if sco.scored]
    assert quiz_items
    if version == "1.2":
        assert [item.get("identifier") for item in items if item.find(f"{{{scorm_xsd.NS12['adlcp']}}}masteryscore") is not None] == quiz_items
    else:
        imsss = scorm_xsd.NS2004["imsss"]
        assert [item.get("identifier") for item in items if item.find(f".//{{{imsss}}}primaryObjective") is not None] == quiz_items
        not_rolled_up = [item.get("identifier") for item in items
                         if item.find(f".//{{{imsss}}}rollupRules[@rollupObjectiveSatisfied='false']") is not None]
        assert not_rolled_up == [item.get("identifier") for item in items if item.get("identifier") not in quiz_items]


@BY_PACKAGE
def test_per_section_rebuild_is_byte_identical(tmp_path, section_packages, section_documents, brand, name, version):
    again = render_into(VERSIONS[version].key, section_documents[name], brand, tmp_path)
    assert again.read_bytes() == section_packages[name, version].read_bytes()


def test_per_section_budget_is_per_sco_and_names_the_tightest(section_documents):
    doc = section_documents["commissioning-services"]
    tightest = max(scorm.scos(doc), key=lambda sco: len(sco.questions))
    budget = scorm.suspend_data_budget(doc, scorm.SCORM12, tightest)
    assert budget.questions == 8 and budget.per_answer == (4096 - budget.fixed) // 8
    expected = (
        f"{SOURCES['commissioning-services']}: warning: SCORM 1.2 keeps 4,096 characters of learner state (suspend_data) in each SCO; "
        f"with 8 questions in section '{tightest.key}' only {budget.per_answer} characters per answer fit, fewer than a "
        "reasonable 1,000. Answers that do not fit are kept only in the learner's browser, and the learner is told and "
        "offered a download; use SCORM 2004 (64,000 characters) or fewer questions there [scorm.suspend-data-budget]"
    )
    assert [str(problem) for problem in scorm.preflight_scorm12(doc)] == [expected]
    assert scorm.preflight_scorm2004(doc) == []


# Every link the learner can see and follow: its href and, if it asks the LMS to navigate, the request.
VISIBLE_LINKS = """() => Array.from(document.querySelectorAll('a[href]')).filter(a => !a.closest('[hidden]'))
    .map(a => [a.getAttribute('href'), a.getAttribute('data-scorm-nav')])"""


def section_learner(plan: dict | None, seen: dict, click_next: bool = False):
    """On the SCO's one page: note the links, type every answer and check every quiz as planned (no plan: only look); then, optionally, Next."""
    def learner(page, _sco):
        frame = content_frame(page)
        seen["opened"] = frame.url.rsplit("/", 1)[1]
        seen["links"] = [tuple(link) for link in frame.evaluate(VISIBLE_LINKS)]
        for box in frame.locator("textarea[data-question]").all() if plan else ():
            box.fill(plan["answers"][box.get_attribute("data-question")])
        for quiz in frame.locator("[data-quiz]").all() if plan else ():
            for statement in quiz.locator("[data-statement]").all():
                statement_id = statement.get_attribute("data-statement")
                statement.locator(f"input[value={'true' if plan['quiz'][statement_id] else 'false'}]").check()
            quiz.locator("[data-quiz-check]").click()
        seen["answers"] = {box.get_attribute("data-question"): box.input_value() for box in frame.locator("textarea[data-question]").all()}
        seen["local"] = frame.evaluate("() => Object.assign({}, window.localStorage)")
        if click_next:
            frame.locator("a[data-scorm-nav=continue]").click()
            page.wait_for_function("() => window.API_1484_11.isTerminated()")
    return learner


@pytest.mark.slow
@pytest.mark.parametrize("version", VERSIONS)
def test_per_section_scos_track_their_own_page_answers_and_score_in_an_lms(section_packages, section_documents, brand, chromium_browser, version):
    doc = section_documents["kitchen-sink"]
    package = section_packages["kitchen-sink", version]
    plan = planned_state(doc)
    by_key = {sco.key: sco for sco in scorm.scos(doc, brand)}
    practice, quiz = by_key[doc.page_of[doc.all_questions()[0].id]], by_key[quiz_section(doc)]
    v12 = version == "1.2"

    # A section with a challenge: completed once its page is seen, its answers in its own suspend_data, no score.
    seen: dict = {}
    result = scorm_player.play(package, version, section_learner(plan, seen, click_next=not v12), browser=chromium_browser, item=practice.item)
    assert result["initialized"] and result["terminated"] and not result["finished_by_player"]
    assert result["missing"] == [] and result["console"] == [] and result["log"] == []
    assert [call for call in result["calls"] if call["result"] == "false"] == []
    assert seen["opened"] == f"{practice.key}.html"
    answers = {question.id: plan["answers"][question.id] for question in practice.questions}
    state = {"v": 2, "answers": answers, "quiz": {}, "choices": {}, "checks": {}, "ratings": {}, "checked": False,
             "visited": [practice.key], "page": practice.key}
    cmi = result["cmi"]
    assert cmi["suspend_data"] == scorm.compact_state(scorm.runtime_config(doc, VERSIONS[version], practice), state)
    assert json.loads(seen["local"][scorm.backup_key(scorm.runtime_config(doc, VERSIONS[version], practice), "default", "learner-1")])["state"] == state
    status = "cmi.core.lesson_status" if v12 else "cmi.completion_status"
    assert set_calls(result, status) == ["incomplete", "completed"]
    # Its one page seen, and no quiz: the attempt is over.
    assert set_calls(result, "cmi.core.exit" if v12 else "cmi.exit") == ["" if v12 else "normal"]
    assert (cmi["core"]["lesson_location"] if v12 else cmi["location"]) == practice.key
    assert [call for call in result["calls"] if ".score." in call["args"][0] or "success_status" in call["args"][0]] == []
    # No link loads another SCO's page here: in 2004, Previous and Next ask the LMS; in 1.2 they are gone.
    pages = {f"{page.slug}.html" for page in doc.pages} - {f"{practice.key}.html"}
    leaving = [link for link in seen["links"] if link[0].split("#")[0] in pages]
    if v12:
        assert leaving == []
    else:
        previous, following = doc.pages[[page.slug for page in doc.pages].index(practice.key) - 1], doc.pages[[page.slug for page in doc.pages].index(practice.key) + 1]
        assert leaving == [(f"{previous.slug}.html", "previous"), (f"{following.slug}.html", "continue")]
        # Next: the request, then Terminate, on which the LMS moves on.
        writes = [(call["method"], call["args"][:2]) for call in result["calls"] if call["method"] in ("SetValue", "Terminate")]
        assert ("SetValue", ["adl.nav.request", "continue"]) in writes and writes[-1] == ("Terminate", [""])

    # The next visit to that SCO resumes with its answers, from the LMS's data alone.
    again: dict = {}
    scorm_player.play(package, version, section_learner(None, again), saved_cmi=cmi, browser=chromium_browser, item=practice.item)
    assert again["answers"] == answers

    # The section with the quiz: not complete on launching (its page seen), only once the quiz is checked.
    looked: dict = {}
    result = scorm_player.play(package, version, section_learner(None, looked), browser=chromium_browser, item=quiz.item)
    assert set_calls(result, status) == ["incomplete"]
    assert set_calls(result, "cmi.core.exit" if v12 else "cmi.exit") == ["suspend"]
    # It reports the score, over its own statements.
    seen = {}
    result = scorm_player.play(package, version, section_learner(plan, seen), browser=chromium_browser, item=quiz.item)
    cmi = result["cmi"]
    right, total = RIGHT["kitchen-sink"], len(quiz.statements)
    assert len(interactions(cmi)) == total
    if v12:
        assert cmi["core"]["score"]["raw"] == percent(right, total)
        assert set_calls(result, status) == ["incomplete", "failed"]  # 2 of 3 is under the default 0.8
        assert cmi["core"]["lesson_status"] == "failed"
    else:
        assert (cmi["score"]["raw"], cmi["score"]["max"], cmi["score"]["scaled"]) == (str(right), str(total), str(round(right / total, 4)))
        assert cmi["completion_status"] == "completed" and cmi["success_status"] == "failed"
    state = {"v": 2, "answers": {}, "quiz": {statement.id: plan["quiz"][statement.id] for statement in quiz.statements},
             "choices": {}, "checks": {}, "ratings": {}, "checked": True, "visited": [quiz.key], "page": quiz.key}
    assert cmi["suspend_data"] == scorm.compact_state(scorm.runtime_config(doc, VERSIONS[version], quiz), state)


@pytest.mark.slow
def test_a_per_section_sco_offers_for_download_the_answers_it_keeps(section_packages, section_documents, brand, chromium_browser):
    doc = section_documents["commissioning-services"]
    sco = next(sco for sco in scorm.scos(doc, brand) if sco.questions)
    assert 1 < len(sco.questions) < len(doc.all_questions())
    plan, seen = planned_state(doc), {}

    def learner(page, sco_frame):
        section_learner(plan, seen)(page, sco_frame)
        with page.expect_download() as download:
            content_frame(page).locator("[data-download-answers]").first.click()
        seen["download"] = Path(download.value.path()).read_text(encoding="utf-8")

    scorm_player.play(section_packages["commissioning-services", "2004"], "2004", learner, browser=chromium_browser, item=sco.item)
    # This section's questions with their answers; not the other sections' as "not answered".
    assert seen["download"].count("Question: ") == len(sco.questions)
    assert all(plan["answers"][question.id] in seen["download"] for question in sco.questions)
    assert "(not answered)" not in seen["download"]


# --- an LMS that refuses, the browser's copy on resume, status, descriptions, the graded quiz -----------


class ScriptedBrowser:
    """A browser whose contexts run a script in every frame before the page's own (the LMS's page included)."""

    def __init__(self, browser, script: str):
        self.browser, self.script = browser, script

    def new_context(self, **options):
        context = self.browser.new_context(**options)
        context.add_init_script(self.script)
        return context


# The LMS's page: whatever API the player puts up refuses to start a session.
REFUSING_LMS = """(() => {
  if (window !== window.top) return;
  for (const [name, initialize] of [["API", "LMSInitialize"], ["API_1484_11", "Initialize"]]) {
    let held;
    Object.defineProperty(window, name, {configurable: true, get() { return held; },
      set(api) { api[initialize] = () => "false"; held = api; }});
  }
})()"""


@pytest.mark.slow
@pytest.mark.parametrize("version", VERSIONS)
def test_an_lms_that_refuses_the_session_is_not_silent(packages, documents, chromium_browser, version):
    doc = documents["kitchen-sink"]
    question = doc.all_questions()[0].id
    seen: dict = {}

    def learner(page, _sco):
        frame = content_frame(page)
        with frame.expect_navigation():
            frame.goto(frame.url.rsplit("/", 1)[0] + f"/{doc.page_of[question]}.html")
        frame.locator(f"textarea[data-question={question}]").fill(TRICKY)
        alert = frame.locator("[data-scorm-alert]")
        seen["alert"] = (alert.get_attribute("role"), alert.inner_text()) if alert.is_visible() else None
        seen["download"] = download_text(offered_download(page, frame))

    result = scorm_player.play(packages["kitchen-sink", version], version, learner,
                               browser=ScriptedBrowser(chromium_browser, REFUSING_LMS))
    assert not result["initialized"]
    role, text = seen["alert"]
    assert role == "alert" and text.startswith(NOT_RECORDED)
    assert TRICKY in seen["download"]


def seed_and_look(doc, seen: dict):
    """Note the page the package opens on, then every answer and quiz choice (resuming_learner), then the compact state the LMS holds."""
    def learner(page, sco):
        resuming_learner(doc, seen)(page, sco)
        seen["suspend_data"] = page.evaluate("() => (window.API || window.API_1484_11).getCMIValue('cmi.suspend_data')")
    return learner


@pytest.mark.slow
@pytest.mark.parametrize("version", VERSIONS)
def test_the_browsers_copy_comes_back_only_into_a_resumed_attempt_and_only_its_answers(packages, documents, chromium_browser, version):
    doc = documents["kitchen-sink"]
    package = packages["kitchen-sink", version]
    config = scorm.runtime_config(doc, VERSIONS[version])
    plan = planned_state(doc)  # every answer, the quiz checked, every page seen, the bookmark on a later page
    assert plan["page"] != config["pages"][0]
    copy = json.dumps({"savedAt": "2026-01-01T00:00:00.000Z", "state": plan})
    key = scorm.backup_key(config, "default", "learner-1")
    other_version = scorm.runtime_config(doc, VERSIONS["2004" if version == "1.2" else "1.2"])
    others = {
        scorm.backup_key(config, "northshire", "learner-1"): copy,  # another council's package of the workbook
        scorm.backup_key(other_version, "default", "learner-1"): copy,  # the other SCORM version's
        scorm.backup_key(dict(config, layout="00000000"), "default", "learner-1"): copy,  # an edition with other questions
        f"workbook-scorm:{doc.workbook.id}:learner-1": copy,  # the key before brand, version and layout were in it
    }
    suspended = {"core": {"exit": "suspend", "lesson_status": "incomplete"}} if version == "1.2" else {"exit": "suspend", "completion_status": "incomplete"}
    unanswered = {question_id: "" for question_id, _ in config["questions"]}
    unchosen = {statement_id: None for statement_id, _, _ in config["statements"]}

    # A new attempt: nothing from the browser, even under its own key.
    fresh: dict = {}
    scorm_player.play(package, version, seed_and_look(doc, fresh), browser=SeededBrowser(chromium_browser, {key: copy, **others}))
    assert (fresh["opened"], fresh["answers"], fresh["quiz"]) == (f"{config['pages'][0]}.html", unanswered, unchosen)

    # A resumed attempt the LMS has no state for: the typed answers come back, not the quiz, its check, the visits or the place.
    resumed: dict = {}
    result = scorm_player.play(package, version, seed_and_look(doc, resumed), saved_cmi=suspended,
                               browser=SeededBrowser(chromium_browser, {key: copy}))
    assert (result["cmi"]["core"]["entry"] if version == "1.2" else result["cmi"]["entry"]) == "resume"
    assert (resumed["opened"], resumed["answers"], resumed["quiz"]) == (f"{config['pages'][0]}.html", plan["answers"], unchosen)
    compact = json.loads(resumed["suspend_data"])
    assert (compact["q"], compact["c"]) == ("-" * len(config["statements"]), 0)

    # Other packages' copies, and the old key, are never read.
    elsewhere: dict = {}
    scorm_player.play(package, version, seed_and_look(doc, elsewhere), saved_cmi=suspended, browser=SeededBrowser(chromium_browser, others))
    assert (elsewhere["answers"], elsewhere["quiz"]) == (unanswered, unchosen)


@pytest.mark.slow
def test_scorm12_status_is_incomplete_until_every_page_is_seen_then_passed_or_failed(packages, documents, chromium_browser):
    doc = documents["kitchen-sink"]
    package = packages["kitchen-sink", "1.2"]
    config = scorm.runtime_config(doc, scorm.SCORM12)
    quiz_page = doc.page_of[config["statements"][0][0]]
    assert len(config["pages"]) > 2

    def quiz_only(page, _sco):
        # From the first page straight to the quiz: every statement right, and checked.
        frame = content_frame(page)
        with frame.expect_navigation():
            frame.goto(frame.url.rsplit("/", 1)[0] + f"/{quiz_page}.html")
        for statement_id, expected, _ in config["statements"]:
            frame.locator(f"[data-statement={statement_id}] input[value={'true' if expected else 'false'}]").check()
        frame.locator("[data-quiz-check]").click()
        # The choices (on a page of their own in the kitchen sink): every one right, and checked there.
        for choice_page in dict.fromkeys(doc.page_of[choice_id] for choice_id, *_ in config["choices"]):
            with frame.expect_navigation():
                frame.goto(frame.url.rsplit("/", 1)[0] + f"/{choice_page}.html")
            for choice_id, correct, *_ in config["choices"]:
                for option_id in correct:
                    frame.locator(f"[data-choice={choice_id}] input[value={option_id}]").check()
            frame.locator("[data-quiz-check]").click()

    first = scorm_player.play(package, "1.2", quiz_only, browser=chromium_browser)
    core = first["cmi"]["core"]
    # Not "passed" with pages unseen: no score yet for the LMS to judge against the mastery score.
    assert set_calls(first, "cmi.core.lesson_status") == ["incomplete"]
    assert (core["lesson_status"], core["score"]["raw"]) == ("incomplete", "")
    assert set_calls(first, "cmi.core.exit") == ["suspend"]
    # Every statement and choice of the SCO is reported on checking (the choices on another page unanswered: neutral).
    assert len(interactions(first["cmi"])) == len(config["statements"]) + len(config["choices"])

    # The next visit sees the other pages: passed, with the score, and the attempt is over.
    second = scorm_player.play(package, "1.2", resuming_learner(doc, {}), saved_cmi=first["cmi"], browser=chromium_browser)
    core = second["cmi"]["core"]
    assert set_calls(second, "cmi.core.lesson_status") == ["incomplete", "passed"]
    assert (core["lesson_status"], core["score"]["raw"]) == ("passed", "100")
    assert set_calls(second, "cmi.core.exit") == [""]
    assert [call for call in second["calls"] if call["result"] == "false"] == [] and second["log"] == []


@pytest.mark.slow
def test_a_long_statement_is_described_in_250_characters_without_half_an_emoji(tmp_path, brand, chromium_browser):
    source = workbook_with_settings(tmp_path, {"scorm": {}})
    long_statement = "A" * 249 + "\U0001F600" + " and more."  # the 250th UTF-16 unit is the emoji's first half
    text = source.read_text(encoding="utf-8")
    assert text.count("The sky is blue.") == 1
    source.write_text(text.replace("The sky is blue.", long_statement), encoding="utf-8")
    doc = load_document(source)[0]
    package = render_into(scorm.SCORM2004.key, doc, brand, tmp_path)
    plan = planned_state(doc)
    result = scorm_player.play(package, "2004", scripted_learner(doc, plan, {}), browser=chromium_browser)
    assert [call for call in result["calls"] if call["result"] == "false"] == [] and result["log"] == []
    assert next(i for i in interactions(result["cmi"]) if i["type"] == "true-false")["description"] == "A" * 249


@pytest.mark.slow
def test_the_graded_quiz_shows_no_answer_before_it_is_checked(packages, documents, chromium_browser):
    doc = documents["kitchen-sink"]
    config = scorm.runtime_config(doc, scorm.SCORM2004)
    plan = planned_state(doc)
    seen: dict = {}

    def learner(page, _sco):
        frame = content_frame(page)
        with frame.expect_navigation():
            frame.goto(frame.url.rsplit("/", 1)[0] + f"/{doc.page_of[config['statements'][0][0]]}.html")
        quiz = frame.locator("[data-quiz]")
        seen["before"] = (quiz.locator("details, [data-expected]").count(), quiz.inner_text())
        for statement_id, _, _ in config["statements"]:
            frame.locator(f"[data-statement={statement_id}] input[value={'true' if plan['quiz'][statement_id] else 'false'}]").check()
        frame.locator("[data-quiz-check]").click()
        seen["score"] = quiz.locator(".quiz-score").inner_text()
        seen["verdicts"] = [verdict.inner_text() for verdict in quiz.locator("[data-verdict]").all()]

    scorm_player.play(packages["kitchen-sink", "2004"], "2004", learner, browser=chromium_browser)
    disclosures, text = seen["before"]
    assert disclosures == 0 and "Show the answer" not in text and "All the answers" not in text
    # Checked, it is marked as on the site: the runtime's store has the answers the page does not carry.
    assert seen["score"] == f"You got {RIGHT['kitchen-sink']} of {len(config['statements'])} right."
    assert seen["verdicts"] == ["Correct." if index < RIGHT["kitchen-sink"] else "Not quite." for index in range(len(config["statements"]))]


def test_only_the_scorm_quiz_leaves_out_the_answers_before_checking(documents, brand):
    from pipeline.render import pages

    doc = documents["kitchen-sink"]
    quiz_page = doc.page_of[doc.all_statements()[0].id]
    scorm_pages = pages.render_pages(doc, brand, pages.SCORM)
    site = pages.render_pages(doc, brand, pages.SITE)[f"{quiz_page}.html"].decode("utf-8")
    packaged = scorm_pages[f"{quiz_page}.html"].decode("utf-8")
    assert "Show the answer" in site and "data-expected=" in site and "All the answers" in site
    assert "Show the answer" not in packaged and "data-expected=" not in packaged and "All the answers" not in packaged
    # The workbook's own answers (its quiz-answers block) stay in the package.
    assert any(b'class="quiz-answers"' in data for name, data in scorm_pages.items() if name.endswith(".html"))
