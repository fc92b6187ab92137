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
