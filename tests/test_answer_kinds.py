"""More ways for a learner to answer (issue 13): choices in a quiz, checklists, rating scales,
drawing spaces. The rules with their exact messages; the site operated by keyboard alone, with
every answer kept and in the download; the LMS's copy of a long reflection cut, and said so,
while the learner's own text stays whole. (Every format's validators see the answers fixture
through tests/sources_support.SOURCES; the scripted SCORM learner is in test_scorm.py.)"""
from __future__ import annotations

import json

import pytest

from pipeline.build import build_workbook
from pipeline.formats import render_into
from pipeline.render import learner as pages, scorm
from tests.html_support import serve_folder, tab_until
from tests.sources_support import ANSWERS, MINIMAL_BODY, problems_in, xml_source
from tests.validators import scorm_player


def challenge(items: str) -> str:
    return f'\n<challenge id="c"><title>T</title>{items}</challenge>'


def choice(options: str, select: str = "one", choice_id: str = "ch") -> str:
    return f'<quiz id="q"><choice id="{choice_id}" select="{select}"><prompt>Pick</prompt>{options}</choice></quiz>'


TWO = '<option id="a" correct="true">A</option><option id="b">B</option>'

# (the body of the one section, the exact messages validate gives, in order)
BAD = {
    "a choice without a correct option": (challenge(choice('<option id="a">A</option><option id="b">B</option>')), [
        'workbook.xml:3: error: choice \'ch\' has no correct option; mark at least one with <option correct="true"> [choice.no-correct]',
    ]),
    "select one with several correct": (challenge(choice('<option id="a" correct="true">A</option><option id="b" correct="true">B</option>')), [
        'workbook.xml:3: error: choice \'ch\' has select="one" but 2 correct options (\'a\', \'b\'); mark exactly one correct, '
        'or write select="many" [choice.several-correct]',
    ]),
    "an option id repeated": (challenge(choice('<option id="a" correct="true">A</option>\n<option id="a">B</option>', "many")), [
        "workbook.xml:4: error: option id 'a' is used more than once in choice 'ch'; give each option its own id [choice.duplicate-option]",
    ]),
    "a choice with one option": (challenge(choice('<option id="a" correct="true">A</option>')), [
        "workbook.xml:3: error: <choice>: a required child element is missing; expected: <option> [schema.element]",
    ]),
    "a choice with 37 options": (challenge(choice('<option id="a" correct="true">A</option>' + "".join(
        f'<option id="o{n}">O</option>' for n in range(36)), "many")), [
        "workbook.xml:3: error: choice 'ch' has 37 options; a choice can have at most 36 (the learner state keeps each as one "
        "base-36 digit): split it [choice.too-many-options]",
    ]),
    "a scale with one level": (challenge('<rating-scale id="r"><level>Only</level><statement id="r1">S</statement></rating-scale>'), [
        "workbook.xml:3: error: rating scale 'r' has 1 level; give it 2 to 10 <level>s, lowest first [scale.too-few-levels]",
    ]),
    "a scale with eleven levels": (challenge('<rating-scale id="r">' + "<level>L</level>" * 11 + '<statement id="r1">S</statement></rating-scale>'), [
        "workbook.xml:3: error: rating scale 'r' has 11 levels; give it 2 to 10 <level>s, lowest first [scale.too-many-levels]",
    ]),
    "an answer for a missing choice": (challenge(choice(TWO)) + '\n<quiz-answers quiz="q"><answer choice="zz">Why.</answer></quiz-answers>', [
        "workbook.xml:4: error: answer for choice 'zz', which is not in quiz 'q'; its choices are: ch [quiz.unknown-choice]",
    ]),
    "an answer naming neither": (challenge(choice(TWO)) + '\n<quiz-answers quiz="q"><answer>Why.</answer></quiz-answers>', [
        'workbook.xml:4: error: answer names neither a statement nor a choice; write statement="ID" value="true|false" '
        'or choice="ID" [quiz.answer-target]',
    ]),
    "a statement's answer without a value": (
        '<quiz id="q"><statement id="st">S</statement></quiz>\n<quiz-answers quiz="q"><answer statement="st">Why.</answer></quiz-answers>', [
            'workbook.xml:2: error: quiz statement \'st\' has no answer; add <answer statement="st" value="true|false">explanation</answer> '
            'to a <quiz-answers quiz="q"> [quiz.no-answer]',
            'workbook.xml:3: error: answer to statement \'st\' has no value; write value="true" or value="false" [quiz.no-value]',
        ]),
    "empty labels": (challenge(
        '<quiz id="q"><choice id="ch"><prompt> </prompt><option id="a" correct="true"></option><option id="b">B</option></choice></quiz>'
        '\n<checklist id="k"><check id="k1"> </check></checklist>'
        '\n<rating-scale id="r"><level>Low</level><level> </level><statement id="r1"/></rating-scale>'), [
        "workbook.xml:3: error: option 'a' of choice 'ch' has no text; write what the learner picks [choice.empty-option]",
        "workbook.xml:3: error: choice 'ch' has an empty <prompt>; write the question the learner answers [choice.empty-prompt]",
        "workbook.xml:4: error: check 'k1' of checklist 'k' has no text; write what the learner ticks [checklist.empty-check]",
        'workbook.xml:5: error: level 2 of rating scale \'r\' has no label; write its label, such as "Very confident" [scale.empty-level]',
        "workbook.xml:5: error: statement 'r1' of rating scale 'r' has no text; write what the learner rates [scale.empty-statement]",
    ]),
    "a quiz with nothing to answer": ('<quiz id="q"/>', [
        "workbook.xml:2: error: quiz 'q' has no statement and no choice; add a <statement> or a <choice> [quiz.empty]",
    ]),
    "a bad space and lines": (challenge('<question space="paper" lines="0">Q?</question>'), [
        "workbook.xml:3: error: <question> attribute 'space': [facet 'enumeration'] The value 'paper' is not an element of the set "
        "{'text', 'drawing'}. [schema.invalid]",
        'workbook.xml:3: error: <question> lines="0" is not a number of lines: write a whole number from 1 to 60 [schema.lines]',
    ]),
    "too many lines": (challenge('<question lines="61">Q?</question>'), [
        'workbook.xml:3: error: <question> lines="61" is not a number of lines: write a whole number from 1 to 60 [schema.lines]',
    ]),
}


@pytest.mark.parametrize("case", BAD)
def test_each_rule_gives_its_place_and_exact_message(tmp_path, case):
    body, expected = BAD[case]
    assert problems_in(tmp_path, xml_source(MINIMAL_BODY.format(body))) == expected


def test_the_answers_fixture_uses_every_new_kind_and_is_valid(tmp_path):
    text = ANSWERS.read_text(encoding="utf-8")
    for marker in ('select="one"', 'select="many"', "<checklist", "<rating-scale", 'space="drawing"', "lines=", 'answer choice="'):
        assert marker in text
    assert [p for p in problems_in(tmp_path, text) if ": error:" in p] == []


# --- on the site: the keyboard alone, a reload, the download ------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory, brand):
    root = tmp_path_factory.mktemp("answers-site")
    build_workbook(ANSWERS, brand, formats=("html",), out_root=root)
    with serve_folder(root) as base:
        yield f"{base}answers/{brand.name}/html/"


def focused(page) -> str:
    return page.evaluate("document.activeElement.id")


@pytest.mark.slow
def test_every_control_works_by_keyboard_alone_and_every_answer_is_kept_and_downloaded(chromium_browser, site, documents, brand, tmp_path):
    context = chromium_browser.new_context(accept_downloads=True, viewport={"width": 1024, "height": 800})
    page = context.new_page()
    page.goto(site + "practise.html")
    # The true/false statement: Tab into its group, Space picks "True".
    tab_until(page, "el => el.name === 'quiz-pick-cycle'")
    page.keyboard.press("Space")
    # A choice of one: a radio group; the arrow keys move and pick, Tab leaves the group.
    tab_until(page, "el => el.name === 'choice-pick-first'")
    assert focused(page) == "pick-first-analyse"
    page.keyboard.press("ArrowDown")
    assert focused(page) == "pick-first-plan" and page.locator("#pick-first-plan").is_checked()
    page.keyboard.press("ArrowUp")
    assert page.locator("#pick-first-analyse").is_checked()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    # A choice of several: a check box each, each its own Tab stop, Space ticks.
    tab_until(page, "el => el.name === 'choice-pick-roles'")
    assert focused(page) == "pick-roles-challenge"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert focused(page) == "pick-roles-deliver"
    page.keyboard.press("Tab")
    assert focused(page) == "pick-roles-review"
    page.keyboard.press("Space")
    tab_until(page, "el => el.matches('[data-quiz-check]')")
    page.keyboard.press("Enter")
    assert page.locator('#pick-quiz [role="status"]').text_content() == "You got 3 of 3 right."
    assert page.locator("#pick-roles-feedback").text_content().startswith("Correct. The answer is: Challenge decisions; Review outcomes")

    # The checklist: Tab and Space.
    tab_until(page, "el => el.id === 'ready-constitution'")
    page.keyboard.press("Space")
    # The scale: a radio group per statement, named by its level and its statement.
    tab_until(page, "el => el.name === 'rating-confidence-questions'")
    assert page.get_by_role("radio", name="Not at all Asking questions at committee").is_visible()
    page.keyboard.press("ArrowRight")
    assert page.locator("#rating-confidence-questions-2").is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "rating-confidence-data"
    page.keyboard.press("ArrowLeft")  # from the first level back round to the last
    assert page.locator("#rating-confidence-data-4").is_checked()
    # The drawing question: a note that it is done on paper, and a box for notes.
    tab_until(page, "el => el.id === 'draw-circle-answer'")
    page.keyboard.type("Four quarters, clockwise.")
    assert page.get_by_label("Draw a circle and divide it into the four stages of the cycle.").get_attribute("rows") == "10"
    assert "on paper or in the Word version" in page.locator("#draw-circle-drawing").text_content()
    # lines="N" sizes the box: 10 lines taller than the usual 8rem (128px), 3 lines shorter.
    heights = page.evaluate("ids => ids.map(id => document.getElementById(id).getBoundingClientRect().height)",
                            ["draw-circle-answer", "draw-notes-answer"])
    assert heights[0] > 200 and heights[1] < 128, heights

    expected_state = {
        "v": 2, "answers": {"draw-circle": "Four quarters, clockwise."}, "quiz": {"pick-cycle": True},
        "choices": {"pick-first": ["pick-first-analyse"], "pick-roles": ["pick-roles-challenge", "pick-roles-review"]},
        "checks": {"ready-constitution": True}, "ratings": {"confidence-questions": 2, "confidence-data": 4},
        "checked": True, "visited": ["practise"], "page": "practise",
    }
    key = pages.storage_key(documents["answers"], brand)
    assert json.loads(page.evaluate("key => localStorage.getItem(key)", key)) == expected_state

    # After a reload every control shows what was chosen.
    page.reload()
    for checked in ("#pick-cycle-true", "#pick-first-analyse", "#pick-roles-challenge", "#pick-roles-review", "#ready-constitution",
                    "#rating-confidence-questions-2", "#rating-confidence-data-4"):
        assert page.locator(checked).is_checked(), checked
    assert not page.locator("#pick-roles-deliver").is_checked() and not page.locator("#ready-plan").is_checked()

    # The download, by keyboard too, holds every answer.
    tab_until(page, "el => el.matches('[data-download-answers]') && el.offsetParent !== null")
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    saved = tmp_path / "answers.txt"
    download_info.value.save_as(saved)
    text = saved.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    for line in ("Question: Draw a circle and divide it into the four stages of the cycle.\nMy answer:\nFour quarters, clockwise.",
                 "1. Commissioning is a cycle.\nMy answer: True",
                 "Which stage comes first?\nMy answer: Analyse",
                 "Which of these are roles of a scrutiny committee?\nMy answer: Challenge decisions; Review outcomes",
                 "Tick what you have done.\n[x] I have read my council’s constitution\n[ ] I have seen the commissioning plan",
                 "Asking questions at committee\nMy rating: A little (2 of 4)",
                 "Reading performance data\nMy rating: Very (4 of 4)"):
        assert line in text, line
    context.close()


# --- in an LMS: the copy of a long reflection ------------------------------------------------

# The limits count what JavaScript counts (and scorm-again checks): UTF-16 code units.


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def utf16_prefix(text: str, units: int) -> str:
    """The longest start of `text` of at most `units` UTF-16 code units (never half an emoji)."""
    out, used = [], 0
    for character in text:
        used += utf16_length(character)
        if used > units:
            break
        out.append(character)
    return "".join(out)


@pytest.mark.slow
@pytest.mark.parametrize("version, length", [("1.2", 1000), ("2004", 5000)])
def test_a_long_reflection_reaches_the_lms_cut_and_said_so_but_stays_whole_for_the_learner(documents, brand, chromium_browser, tmp_path, version, length):
    doc = documents["answers"]
    scorm_version = scorm.SCORM12 if version == "1.2" else scorm.SCORM2004
    package = render_into(scorm_version.key, doc, brand, tmp_path)
    text = ("First paragraph.\n\nSecond – “quoted” 😀 " + "word " * length)[:length]

    def learner(page, _sco):
        frame = page.frame(name="workbook")
        frame.wait_for_load_state("load")
        with frame.expect_navigation():
            frame.goto(frame.url.rsplit("/", 1)[0] + "/practise.html")
        frame.locator("#draw-notes-answer").fill(text)

    result = scorm_player.play(package, version, learner, browser=chromium_browser)
    assert [call for call in result["calls"] if call["result"] == "false"] == [] and result["log"] == []
    found = [i for key, i in sorted(result["cmi"]["interactions"].items()) if key.isdigit() and i["id"] == "draw-notes"]
    assert len(found) == 1
    interaction = found[0]
    line = text.replace("\n", " \u00b6 ")
    if version == "1.2":
        assert interaction["type"] == "fill-in"
        assert interaction["student_response"] == utf16_prefix(line, 251) + " [\u2026]" and utf16_length(interaction["student_response"]) == 255
    else:
        prefix = "{lang=en-GB}"
        assert interaction["type"] == "long-fill-in"
        assert interaction["learner_response"] == prefix + utf16_prefix(line, 4000 - len(prefix) - 4) + " [\u2026]"
        assert interaction["description"] == ("In one sentence, what did your drawing show? (the answer is cut to the 4000 "
                                              "characters SCORM 2004 keeps here)")
    # The learner's own text, in suspend_data, is whole.
    config = scorm.runtime_config(doc, scorm_version)
    assert json.loads(result["cmi"]["suspend_data"])["a"][str([q for q, _ in config["questions"]].index("draw-notes"))] == text


# --- the suspend_data budget counts the new kinds ------------------------------------------------


@pytest.mark.parametrize("scorm_version", [scorm.SCORM12, scorm.SCORM2004], ids=["scorm12", "scorm2004"])
def test_the_budget_is_exact_with_every_option_chosen_every_check_ticked_and_every_statement_rated(documents, scorm_version):
    doc = documents["answers"]
    budget = scorm.suspend_data_budget(doc, scorm_version)
    config = scorm.runtime_config(doc, scorm_version)
    worst = {
        "page": config["pages"][-1], "visited": config["pages"], "checked": True,
        "quiz": {statement_id: True for statement_id, _, _ in config["statements"]},
        "choices": {choice_id: options for choice_id, _, options, _, _ in config["choices"]},
        "checks": {check_id: True for _, check_ids, _, _ in config["checklists"] for check_id in check_ids},
        "ratings": {statement_id: levels for statement_id, levels, _, _ in config["ratings"]},
        "answers": {question_id: "x" * budget.per_answer for question_id, _ in config["questions"]},
    }
    text = scorm.compact_state(config, worst)
    assert len(text) <= scorm_version.suspend_data_limit
    assert json.loads(text)["h"] == ["012", "012"] and json.loads(text)["t"] == "3" and json.loads(text)["r"] == "44"
    worst["answers"] = {question_id: "x" * (budget.per_answer + 1) for question_id, _ in config["questions"]}
    assert len(scorm.compact_state(config, worst)) > scorm_version.suspend_data_limit


def test_a_workbook_without_the_new_kinds_keeps_its_layout_and_storage_key(documents, brand):
    # So that its learners' saved answers (suspend_data and the site's localStorage) still load.
    doc = documents["commissioning-services"]
    config = scorm.runtime_config(doc, scorm.SCORM2004)
    assert (config["choices"], config["checklists"], config["ratings"]) == ([], [], [])
    assert config["layout"] == "c6b6b326"  # as main built it before issue 13
    assert pages.storage_key(doc, brand) == "workbook-state:default:commissioning-services:b6f390a31cc9"


@pytest.mark.slow
@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_a_cleared_reflection_clears_the_lms_copy(documents, brand, chromium_browser, tmp_path, version):
    doc = documents["answers"]
    package = render_into((scorm.SCORM12 if version == "1.2" else scorm.SCORM2004).key, doc, brand, tmp_path)

    def learner(page, _sco):
        frame = page.frame(name="workbook")
        frame.wait_for_load_state("load")
        with frame.expect_navigation():
            frame.goto(frame.url.rsplit("/", 1)[0] + "/practise.html")
        frame.locator("#draw-notes-answer").fill("Second thoughts")
        frame.locator("#draw-notes-answer").fill("")

    result = scorm_player.play(package, version, learner, browser=chromium_browser)
    assert [call for call in result["calls"] if call["result"] == "false"] == [] and result["log"] == []
    element = "student_response" if version == "1.2" else "learner_response"
    sent = [call["args"][1] for call in result["calls"] if call["method"] in ("LMSSetValue", "SetValue") and call["args"][0].endswith(element)]
    empty = "" if version == "1.2" else "{lang=en-GB}"
    assert sent == [("" if version == "1.2" else "{lang=en-GB}") + "Second thoughts", empty]
