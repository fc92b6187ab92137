"""The scripts the outputs ship: ESLint finds nothing in them, their pure functions pass
node's unit tests (tests/js/), and the compact learner state the SCORM runtime writes is
the one pipeline/render/scorm.py budgets for at build time.

`make test` also runs the first two as `make check-js`, before pytest; here they fail
with the tools' own output, so a plain pytest run covers them as well.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from pipeline.render import scorm
from tests.sources_support import ROOT, SOURCES

ESLINT = ROOT / "node_modules" / ".bin" / "eslint"
STATE_MODULE = ROOT / "templates" / "html" / "assets" / "workbook-state.js"
LINTED = ["templates", "tests/js", "eslint.config.mjs"]


def run(command: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_eslint_finds_nothing_in_the_scripts():
    assert ESLINT.exists(), "ESLint is not installed: run `make setup-validators` (npm ci from package-lock.json)"
    result = run([str(ESLINT), "--max-warnings", "0", *LINTED])
    assert result.returncode == 0, result.stdout + result.stderr


def project_copy(tmp_path: Path, files: dict[str, str]) -> Path:
    """A folder laid out as the project, with its ESLint config, node_modules and the given files."""
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    for name, text in {"eslint.config.mjs": (ROOT / "eslint.config.mjs").read_text(encoding="utf-8"), **files}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_eslint_fails_on_a_real_defect(tmp_path):
    folder = project_copy(tmp_path, {"templates/html/assets/probe.js": '(function () {\n  "use strict";\n  var unused = 1;\n}());\n'})
    result = run([str(ESLINT), "--max-warnings", "0", "templates"], cwd=folder)
    assert result.returncode == 1 and "'unused' is assigned a value but never used" in result.stdout, result.stdout + result.stderr


def test_node_unit_tests_pass():
    tests = sorted((ROOT / "tests" / "js").glob("*.test.js"))
    assert tests
    result = run(["node", "--test", *map(str, tests)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# fail 0" in result.stdout and "# pass 0" not in result.stdout, result.stdout


def test_node_unit_tests_fail_on_a_real_defect(tmp_path):
    module = STATE_MODULE.read_text(encoding="utf-8")
    broken = module.replace('return value === true ? "t"', 'return value === true ? "f"')
    assert broken != module
    folder = project_copy(tmp_path, {
        "templates/html/assets/workbook-state.js": broken,
        "tests/js/workbook-state.test.js": (ROOT / "tests" / "js" / "workbook-state.test.js").read_text(encoding="utf-8"),
    })
    result = run(["node", "--test", "tests/js/workbook-state.test.js"], cwd=folder)
    assert result.returncode == 1 and "# fail 0" not in result.stdout, result.stdout


COMPACT_IN_NODE = """
const State = require(process.argv[1]);
const [config, state] = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(State.compact(State.normalise(state, config.pages), config, []));
"""


@pytest.mark.parametrize("name", SOURCES)
@pytest.mark.parametrize("version", [scorm.SCORM12, scorm.SCORM2004], ids=["scorm12", "scorm2004"])
def test_the_runtime_compacts_the_state_as_the_build_budgets_it(documents, name, version):
    config = scorm.runtime_config(documents[name], version)
    questions = [question_id for question_id, _ in config["questions"]]
    assert questions and config["statements"]
    state = {
        "page": config["pages"][-1],
        "visited": config["pages"][::2],
        "quiz": {statement_id: index % 2 == 0 for index, (statement_id, _, _) in enumerate(config["statements"][1:])},
        "checked": True,
        "answers": {question_id: f"Answer {index} – “quoted” 😀\n" for index, question_id in enumerate(questions) if index % 3},
    }
    result = subprocess.run(["node", "-e", COMPACT_IN_NODE, str(STATE_MODULE)], input=json.dumps([config, state]),
                            capture_output=True, text=True, encoding="utf-8", timeout=60, check=True)
    assert result.stdout == scorm.compact_state(config, state)
