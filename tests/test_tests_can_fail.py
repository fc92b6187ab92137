"""The suite's own rule: a test whose asserts all sit inside loops passes when the loop
has nothing to check, so it must first assert that there is something to check."""
from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def asserts_of(function: ast.FunctionDef) -> list[tuple[ast.Assert, bool]]:
    """Every assert in `function` (not in nested functions), with whether it sits inside a loop."""
    found: list[tuple[ast.Assert, bool]] = []

    def visit(node: ast.AST, in_loop: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                continue
            if isinstance(child, ast.Assert):
                found.append((child, in_loop))
            visit(child, in_loop or may_run_no_times(child))

    visit(function, False)
    return found


def may_run_no_times(node: ast.AST) -> bool:
    """A loop that can check nothing; a for over a written-out, non-empty tuple or list always runs."""
    if isinstance(node, (ast.For, ast.AsyncFor)):
        return not (isinstance(node.iter, (ast.Tuple, ast.List)) and node.iter.elts)
    return isinstance(node, ast.While)


def loop_only_tests(source: str, name: str) -> list[str]:
    return [f"{name}:{node.lineno}: {node.name}" for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
            and (found := asserts_of(node)) and all(in_loop for _, in_loop in found)]


def test_the_rule_finds_a_test_that_checks_only_inside_a_loop():
    source = ("def test_vacuous(items):\n    for item in items:\n        assert item\n\n"
              "def test_guarded(items):\n    assert items\n    for item in items:\n        assert item\n\n"
              "def test_written_out():\n    for item in (1, 2):\n        assert item\n\n"
              "def test_empty_literal():\n    for item in ():\n        assert item\n")
    assert loop_only_tests(source, "example.py") == ["example.py:1: test_vacuous", "example.py:14: test_empty_literal"]


def test_no_test_passes_on_an_empty_loop():
    files = sorted(TESTS.rglob("test_*.py"))
    assert len(files) > 5
    found = [problem for path in files
             for problem in loop_only_tests(path.read_text(encoding="utf-8"), str(path.relative_to(TESTS)))]
    assert found == []
