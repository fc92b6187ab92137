"""SCORM 1.2 and 2004: valid manifests, packages an LMS (scorm-again) plays, tracks and resumes, and rebuilds byte for byte."""
from __future__ import annotations

import functools
import json
import sys
import subprocess
import re
import threading
import zipfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from lxml import etree

from pipeline import model
from pipeline.brand import load_brand
from pipeline.build import DEFAULT_BRAND, PROJECT_ROOT, load_document
from pipeline.render import scorm
from tests.validators import format_findings, scorm_player, scorm_xsd, vnu

SOURCES = {
    "commissioning": PROJECT_ROOT / "source" / "commissioning-services" / "workbook.xml",
    "kitchen-sink": PROJECT_ROOT / "tests" / "fixtures" / "kitchen-sink" / "workbook.xml",
}
VERSIONS = {"1.2": scorm.SCORM12, "2004": scorm.SCORM2004}
PACKAGES = [(name, version) for name in SOURCES for version in VERSIONS]
PACKAGE_IDS = [f"{name}-scorm{version.replace('.', '')}" for name, version in PACKAGES]
BY_PACKAGE = pytest.mark.parametrize("name, version", PACKAGES, ids=PACKAGE_IDS)
OFFICIAL_XSDS = {
    "1.2": scorm_xsd.SCHEMA_ROOT / "scorm12edition",
    "2004": scorm_xsd.SCHEMA_ROOT / "scorm20044thedition",
}


@pytest.fixture(scope="session")
def brand():
    loaded, problems = load_brand(DEFAULT_BRAND)
    assert loaded is not None, problems
    return loaded


@pytest.fixture(scope="session")
def documents():
    return {name: load_document(source)[0] for name, source in SOURCES.items()}


@pytest.fixture(scope="session")
def packages(tmp_path_factory, documents, brand) -> dict[tuple[str, str], Path]:
    """Every package, built once for the session."""
    out = tmp_path_factory.mktemp("scorm")
    return {(name, version): scorm.render_scorm(documents[name], brand, out, VERSIONS[version]) for name, version in PACKAGES}


def read_manifest(package: Path) -> etree._Element:
    with zipfile.ZipFile(package) as archive:
        return etree.fromstring(archive.read("imsmanifest.xml"))


# --- the manifest ------------------------------------------------------------------


@BY_PACKAGE
def test_manifest_is_valid_against_the_official_schemas(packages, name, version):
    problems = scorm_xsd.validate_package(packages[name, version], version)
    assert problems == [], "\n".join(problems)


@BY_PACKAGE
def test_manifest_names_the_workbook_and_launches_one_sco(packages, documents, name, version):
    doc = documents[name]
    root = read_manifest(packages[name, version])
    ns = {"cp": etree.QName(root).namespace}
    assert root.get("identifier") == doc.workbook.id
    assert root.findtext("cp:organizations/cp:organization/cp:title", namespaces=ns) == doc.title
    items = root.findall(".//cp:item", ns)
    assert len(items) == 1
    assert scorm_xsd.launch_href(etree.tostring(root)) == scorm.LAUNCH_PAGE
    description = " ".join(model.plain_text(doc.workbook.meta.summary).split())
    texts = [element.text for element in root.iter() if isinstance(element.tag, str) and etree.QName(element).localname in ("langstring", "string")]
    assert texts == [doc.title, description]


@BY_PACKAGE
def test_manifest_passing_score_matches_the_runtime(packages, name, version):
    root = read_manifest(packages[name, version])
    if version == "1.2":
        found = [element.text for element in root.iter(f"{{{scorm_xsd.NS12['adlcp']}}}masteryscore")]
        assert found == [str(round(scorm.PASSING_SCORE * 100))]
    else:
        found = [element.text for element in root.iter(f"{{{scorm_xsd.NS2004['imsss']}}}minNormalizedMeasure")]
        assert found == [f"{scorm.PASSING_SCORE:g}"]
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
def test_launch_page_is_valid_html(tmp_path, packages):
    with zipfile.ZipFile(packages["kitchen-sink", "1.2"]) as archive:
        launch = tmp_path / scorm.LAUNCH_PAGE
        launch.write_bytes(archive.read(scorm.LAUNCH_PAGE))
    findings = vnu.check_html([launch])
    assert findings == [], format_findings(findings)


# --- reproducible builds ------------------------------------------------------------


@BY_PACKAGE
def test_rebuild_is_byte_identical(tmp_path, packages, documents, brand, name, version):
    again = scorm.render_scorm(documents[name], brand, tmp_path, VERSIONS[version])
    assert again.name == packages[name, version].name
    assert again.read_bytes() == packages[name, version].read_bytes()


def test_build_registry_writes_both_packages(tmp_path, documents, brand):
    doc = documents["kitchen-sink"]
    assert scorm.render_scorm12(doc, brand, tmp_path) == tmp_path / "kitchen-sink-scorm12.zip"
    assert scorm.render_scorm2004(doc, brand, tmp_path) == tmp_path / "kitchen-sink-scorm2004.zip"


# --- the suspend_data budget ----------------------------------------------------------


def test_budget_warns_when_answers_of_reasonable_length_cannot_fit_in_scorm12(tmp_path, documents):
    doc = documents["commissioning"]
    budget = scorm.suspend_data_budget(doc, scorm.SCORM12)
    assert budget.questions == len(doc.all_questions()) == 19
    assert budget.per_answer == (4096 - budget.fixed) // 19
    expected = (
        f"{SOURCES['commissioning']}: warning: SCORM 1.2 keeps 4,096 characters of learner state (suspend_data); "
        f"with 19 questions only {budget.per_answer} characters per answer fit, fewer than a reasonable 1,000. "
        "Answers that do not fit are kept only in the learner's browser, and the learner is told and offered "
        "a download; use SCORM 2004 (64,000 characters) or fewer questions [scorm.suspend-data-budget]"
    )
    assert [str(problem) for problem in scorm.preflight_scorm12(doc)] == [expected]
    # The build shows it before rendering, and --strict makes it stop the build.
    command = [sys.executable, "-m", "pipeline", "build", str(SOURCES["commissioning"]), "--format", "scorm12", "--out", str(tmp_path)]
    shown = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert shown.returncode == 0 and expected in shown.stderr.splitlines()
    strict = subprocess.run(command + ["--strict", "--force"], capture_output=True, text=True, timeout=300)
    assert strict.returncode == 2 and expected in strict.stderr.splitlines()


@pytest.mark.parametrize("name, version", [("commissioning", "2004"), ("kitchen-sink", "1.2"), ("kitchen-sink", "2004")])
def test_budget_is_quiet_when_answers_fit(documents, name, version):
    doc = documents[name]
    assert scorm.suspend_data_budget(doc, VERSIONS[version]).per_answer >= scorm.REASONABLE_ANSWER_CHARS
    preflight = scorm.preflight_scorm12 if version == "1.2" else scorm.preflight_scorm2004
    assert preflight(doc) == []


def test_budget_is_exact_for_the_worst_case(documents):
    doc = documents["commissioning"]
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
RIGHT = {"commissioning": 7, "kitchen-sink": 2}  # quiz statements the scripted learner gets right


def planned_state(doc, answer_length: int | None = None) -> dict:
    """What the scripted learner does: every question answered, the quiz with RIGHT[...] right, bookmark on the first question's page."""
    config = scorm.runtime_config(doc, scorm.SCORM12)
    name = "commissioning" if doc.workbook.id == "commissioning-services" else doc.workbook.id
    answers = {}
    for index, (question_id, _) in enumerate(config["questions"]):
        text = f"Answer {index + 1} to {question_id}: {TRICKY}"
        if answer_length is not None:
            text = (text + " " + "lorem ipsum " * answer_length)[:answer_length]
        answers[question_id] = text
    quiz = {statement_id: expected if index < RIGHT[name] else not expected
            for index, (statement_id, expected, _) in enumerate(config["statements"])}
    bookmark = doc.page_of[config["questions"][0][0]]
    return {"v": 1, "answers": answers, "quiz": quiz, "checked": True, "visited": config["pages"], "page": bookmark}


def content_frame(page):
    frame = page.frame(name=FRAME)
    assert frame is not None, "the launcher shows no workbook frame"
    frame.wait_for_load_state("load")
    return frame


def scripted_learner(doc, plan: dict, seen: dict):
    """Visit every page in order with Next, type every answer, answer and check each quiz, then go back to the bookmark."""
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
                quiz.locator("[data-quiz-check]").click()
            if index + 1 < len(doc.pages):
                with frame.expect_navigation():
                    frame.locator("a[rel=next]").first.click()
        with frame.expect_navigation():
            frame.goto(frame.url.rsplit("/", 1)[0] + f"/{plan['page']}.html")
        seen["alert"] = frame.locator("[data-scorm-alert]").is_visible()
        seen["local"] = frame.evaluate("() => Object.assign({}, window.localStorage)")
        seen["download"] = frame.evaluate(
            "async () => { const a = document.querySelector('[data-scorm-download]'); return a ? await (await fetch(a.href)).text() : null; }")
    return learner


def resuming_learner(doc, seen: dict):
    """Note the page the package opens on, then every answer box and quiz choice on every page."""
    def learner(page, _sco):
        frame = content_frame(page)
        seen["opened"] = frame.url.rsplit("/", 1)[1]
        seen["answers"], seen["quiz"] = {}, {}
        base = frame.url.rsplit("/", 1)[0]
        for workbook_page in doc.pages:
            with frame.expect_navigation():
                frame.goto(f"{base}/{workbook_page.slug}.html")
            for box in frame.locator("textarea[data-question]").all():
                seen["answers"][box.get_attribute("data-question")] = box.input_value()
            for statement in frame.locator("[data-statement]").all():
                checked = statement.locator("input:checked")
                seen["quiz"][statement.get_attribute("data-statement")] = checked.get_attribute("value") == "true" if checked.count() else None
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
    right, total = RIGHT[name], len(statements)
    expected_interactions = [
        (statement_id, "true-false", plan["quiz"][statement_id], plan["quiz"][statement_id] == value, value)
        for statement_id, value, _ in statements
    ]
    # The state in suspend_data is exactly what the build's budget calculation assumes.
    assert cmi["suspend_data"] == scorm.compact_state(config, plan)
    assert not seen["alert"]
    # Every page change commits; the exit terminates with the attempt suspended.
    commits = [call for call in result["calls"] if call["method"] in ("LMSCommit", "Commit")]
    assert len(commits) >= len(doc.pages)
    if version == "1.2":
        core = cmi["core"]
        assert set_calls(result, "cmi.core.lesson_status") == ["incomplete", "completed"]
        # scorm-again, as an LMS should, then judges the raw score against adlcp:masteryscore.
        assert core["lesson_status"] == ("passed" if right / total >= scorm.PASSING_SCORE else "failed")
        assert (core["score"]["raw"], core["score"]["min"], core["score"]["max"]) == (str(round(100 * right / total)), "0", "100")
        assert core["lesson_location"] == plan["page"]
        assert core["exit"] == "suspend"
        assert re.fullmatch(r"\d{4}:\d{2}:\d{2}\.\d{2}", set_calls(result, "cmi.core.session_time")[-1])
        found = [(i["id"], i["type"], i["student_response"] == "t", i["result"] == "correct", i["correct_responses"]["0"]["pattern"] == "t") for i in interactions(cmi)]
        assert found == expected_interactions
        assert {i["result"] for i in interactions(cmi)} <= {"correct", "wrong"}
    else:
        assert set_calls(result, "cmi.completion_status") == ["incomplete", "completed"]
        assert cmi["completion_status"] == "completed"
        assert cmi["progress_measure"] == "1"
        assert cmi["score"]["scaled"] == str(round(right / total, 4))
        assert (cmi["score"]["raw"], cmi["score"]["min"], cmi["score"]["max"]) == (str(right), "0", str(total))
        assert cmi["scaled_passing_score"] == f"{scorm.PASSING_SCORE:g}"
        assert cmi["success_status"] == ("passed" if right / total >= scorm.PASSING_SCORE else "failed")
        assert cmi["location"] == plan["page"]
        assert cmi["exit"] == "suspend"
        assert re.fullmatch(r"PT\d+H\d+M\d+\.\d{2}S", cmi["session_time"])
        found = [(i["id"], i["type"], i["learner_response"] == "true", i["result"] == "correct", i["correct_responses"]["0"]["pattern"] == "true") for i in interactions(cmi)]
        assert found == expected_interactions
        assert {i["result"] for i in interactions(cmi)} <= {"correct", "incorrect"}
    # The full state is also in the browser, as a backup.
    backup = json.loads(seen["local"][f"workbook-scorm:{doc.workbook.id}:learner-1"])
    assert backup["state"] == plan


@pytest.mark.slow
@BY_PACKAGE
def test_next_session_resumes_at_the_bookmark_with_every_answer(played, packages, documents, chromium_browser, name, version):
    plan, _, first = played(name, version)
    seen: dict = {}
    # A fresh browser (no localStorage): everything comes back from the LMS's data alone.
    result = scorm_player.play(packages[name, version], version, resuming_learner(documents[name], seen), saved_cmi=first["cmi"], browser=chromium_browser)
    assert (result["cmi"]["core"]["entry"] if version == "1.2" else result["cmi"]["entry"]) == "resume"
    assert seen["opened"] == f"{plan['page']}.html"
    assert seen["answers"] == plan["answers"]
    assert seen["quiz"] == plan["quiz"]
    assert result["console"] == []


@pytest.mark.slow
def test_answers_over_the_scorm12_budget_are_never_cut(packages, documents, chromium_browser):
    doc = documents["commissioning"]
    package = packages["commissioning", "1.2"]
    plan = planned_state(doc, answer_length=400)
    config = scorm.runtime_config(doc, scorm.SCORM12)
    seen: dict = {}
    result = scorm_player.play(package, "1.2", scripted_learner(doc, plan, seen), browser=chromium_browser)
    # The learner is told, and offered every answer as a download.
    assert seen["alert"]
    assert all(answer.replace("\r\n", "\n") in seen["download"].replace("\r\n", "\n") for answer in plan["answers"].values())
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
    key = f"workbook-scorm:{doc.workbook.id}:learner-1"
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


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


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
        seen["download"] = frame.evaluate("async () => await (await fetch(document.querySelector('[data-scorm-download]').href)).text()")

    scorm_player.play(packages["kitchen-sink", "1.2"], "1.2", learner, saved_cmi=saved, browser=chromium_browser)
    assert set(seen["answers"].values()) == {""}
    assert "This workbook has changed since your last visit, so 2 answers you wrote then" in seen["alert"]
    assert all(answer in seen["download"] for answer in plan["answers"].values())


@pytest.mark.slow
def test_an_lms_that_keeps_less_than_the_standard_still_loses_nothing(packages, documents, chromium_browser):
    doc = documents["kitchen-sink"]
    plan = planned_state(doc)
    seen: dict = {}
    script = scripted_learner(doc, plan, seen)

    def learner(page, sco):
        # An LMS that keeps only 100 characters and says nothing when it cuts.
        page.evaluate("""() => { const set = API.LMSSetValue.bind(API);
            API.LMSSetValue = (element, value) => set(element, element === 'cmi.suspend_data' ? String(value).slice(0, 100) : value); }""")
        script(page, sco)

    result = scorm_player.play(packages["kitchen-sink", "1.2"], "1.2", learner, browser=chromium_browser)
    assert seen["alert"]
    compact = json.loads(result["cmi"]["suspend_data"])
    assert compact["a"] == {} and compact["x"] == list(range(len(plan["answers"])))
    assert json.loads(seen["local"]["workbook-scorm:kitchen-sink:learner-1"])["state"] == plan


@pytest.mark.slow
def test_preview_without_an_lms_keeps_state_in_local_storage(tmp_path, packages, documents, chromium_browser):
    doc = documents["kitchen-sink"]
    with zipfile.ZipFile(packages["kitchen-sink", "2004"]) as archive:
        archive.extractall(tmp_path)
    question = doc.all_questions()[0].id
    page_slug = doc.page_of[question]
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    context = chromium_browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        base = f"http://127.0.0.1:{server.server_address[1]}"
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
        assert not frame.locator("[data-scorm-alert]").is_visible()
        stored = json.loads(page.evaluate(f"() => localStorage.getItem('workbook-scorm:{doc.workbook.id}:preview')"))
        assert stored["state"]["answers"] == {question: TRICKY}
        assert errors == []
    finally:
        context.close()
        server.shutdown()
        server.server_close()
