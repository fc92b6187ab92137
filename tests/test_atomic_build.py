"""All or nothing: a pair's outputs change together, killed builds leave the old set or the new one, and builds of one pair take turns."""
from __future__ import annotations

import fcntl
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.build_support import ALL_BUILT, ROOT, built_column, command, copy_kitchen_sink, environment, run, visible_tree

EDIT = ("Tip text.", "Tip text, edited.")


def leftovers(pair_parent: Path, brand: str = "default") -> list[str]:
    """Entries of build/<id>/ beyond the pair's link, its lock and the one version the link points to."""
    link = pair_parent / brand
    current = os.readlink(link)
    return sorted(entry.name for entry in pair_parent.iterdir() if entry.name not in (brand, f".{brand}.lock", current))


def two_versions(tmp_path: Path) -> tuple[Path, dict[int, str], dict[int, dict[str, str]]]:
    """A source copy with an old (0) and a new (1) text, and the build/ each gives when built from scratch."""
    source = copy_kitchen_sink(tmp_path / "source")
    old = source.read_text(encoding="utf-8")
    assert EDIT[0] in old
    texts = {0: old, 1: old.replace(*EDIT)}
    trees = {}
    for state, text in texts.items():
        source.write_text(text, encoding="utf-8")
        out = tmp_path / f"reference-{state}"
        result = run("build", str(source), "--out", str(out), "--jobs", "1")
        assert result.returncode == 0, result.stderr
        trees[state] = visible_tree(out)
    assert trees[0].keys() == trees[1].keys() and trees[0] != trees[1]
    return source, texts, trees


def test_the_pair_folder_is_a_symlink_to_one_complete_version(tmp_path):
    source = copy_kitchen_sink(tmp_path / "source")
    out = tmp_path / "build"
    first = run("build", str(source), "--out", str(out))
    assert first.returncode == 0, first.stderr
    pair = out / "kitchen-sink" / "default"
    assert pair.is_symlink() and os.readlink(pair) == ".default.1"
    # Tools keep addressing outputs through the pair's path.
    assert (pair / "html" / "index.html").is_file() and (pair / "kitchen-sink.epub").is_file()
    everything = visible_tree(out)

    # An incremental build renders one format and carries the others over into the new version.
    source.write_text(source.read_text(encoding="utf-8").replace(*EDIT), encoding="utf-8")
    docx_only = run("build", str(source), "--out", str(out), "--format", "docx")
    assert docx_only.returncode == 0, docx_only.stderr
    assert os.readlink(pair) == ".default.2"
    after = visible_tree(out)
    assert after.keys() == everything.keys()
    changed = {name for name in after if after[name] != everything[name]}
    assert changed == {"kitchen-sink/default/kitchen-sink.docx"}
    assert leftovers(out / "kitchen-sink") == []


def test_a_folder_from_before_the_symlink_layout_is_adopted(tmp_path):
    source = copy_kitchen_sink(tmp_path / "source")
    out = tmp_path / "build"
    assert run("build", str(source), "--out", str(out), "--format", "html").returncode == 0
    pair = out / "kitchen-sink" / "default"
    # Make it look like an older toolkit's build: a plain folder.
    version = out / "kitchen-sink" / os.readlink(pair)
    pair.unlink()
    version.rename(pair)
    before = visible_tree(out)
    again = run("build", str(source), "--out", str(out), "--format", "html", "--format", "docx")
    assert again.returncode == 0, again.stderr
    assert pair.is_symlink() and (pair / "kitchen-sink.docx").is_file()
    assert {name: digest for name, digest in visible_tree(out).items() if name in before} == before
    assert leftovers(out / "kitchen-sink") == []


def test_builds_killed_at_random_moments_leave_the_old_or_the_new_outputs(tmp_path):
    source, texts, trees = two_versions(tmp_path)
    out = tmp_path / "build"
    # How long a rebuild takes from start to swap, measured on this machine, so the kills spread across it.
    durations = []
    for state in (1, 0):
        source.write_text(texts[state], encoding="utf-8")
        started = time.monotonic()
        assert run("build", str(source), "--out", str(out), "--jobs", "1").returncode == 0
        durations.append(time.monotonic() - started)
    duration = max(durations)
    state = 0
    rng = random.Random(18)
    killed_while_running = attempts = 0
    while killed_while_running < 8:  # a bounded count: 8 kills that land while a build runs
        attempts += 1
        assert attempts <= 30, "builds kept finishing before the kill; the test could not do its job"
        wanted = 1 - state
        source.write_text(texts[wanted], encoding="utf-8")
        process = subprocess.Popen(command("build", str(source), "--out", str(out), "--jobs", "1"), cwd=ROOT, env=environment(),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        # Starting Python and planning take the first part of a run; the kills aim at the rest.
        delay = rng.uniform(0.2 * duration, duration)
        time.sleep(delay)
        if process.poll() is None:
            killed_while_running += 1
            os.killpg(process.pid, signal.SIGKILL)
        else:
            duration = 0.9 * delay  # this machine is faster now than when measured: aim earlier
        process.wait(timeout=60)
        tree = visible_tree(out)
        assert tree in (trees[0], trees[1]), "build/ is neither the old outputs nor the new ones"
        state = 0 if tree == trees[0] else 1

    # The next build completes the job and tidies whatever the killed ones left.
    final = run("build", str(source), "--out", str(out), "--jobs", "1")
    assert final.returncode == 0, final.stderr
    assert visible_tree(out) == trees[wanted]
    assert leftovers(out / "kitchen-sink") == []


def test_a_killed_build_s_leftovers_are_removed_by_the_next_build(tmp_path):
    source = copy_kitchen_sink(tmp_path / "source")
    out = tmp_path / "build"
    assert run("build", str(source), "--out", str(out), "--format", "html").returncode == 0
    parent = out / "kitchen-sink"
    # What killed runs leave: a half-rendered version, an old-style staging folder, a half-made link.
    (parent / ".default.7" / "html").mkdir(parents=True)
    (parent / ".default-staging-abc123").mkdir()
    (parent / ".default.link-999").symlink_to(".default.7")
    # Another brand's leftovers are not this pair's to remove.
    (parent / ".northshire.3").mkdir()
    again = run("build", str(source), "--out", str(out), "--format", "html", "--force")
    assert again.returncode == 0, again.stderr
    assert leftovers(parent) == [".northshire.3"]


def hold(lock: Path):
    lock.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(lock, os.O_RDWR | os.O_CREAT)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    return descriptor


@pytest.mark.parametrize("force", [False, True], ids=["incremental", "forced"])
def test_two_builds_of_one_pair_take_turns_and_both_succeed(tmp_path, force):
    source, texts, trees = two_versions(tmp_path)
    source.write_text(texts[1], encoding="utf-8")
    out = tmp_path / "build"
    # Hold the pair's lock so that both builds have planned everything before either may start.
    descriptor = hold(out / "kitchen-sink" / ".default.lock")
    arguments = ("build", str(source), "--out", str(out), "--jobs", "1") + (("--force",) if force else ())
    processes = [subprocess.Popen(command(*arguments), cwd=ROOT, env=environment(), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
    time.sleep(2.0)
    assert [process.poll() for process in processes] == [None, None], "both builds wait for the lock"
    assert not (out / "kitchen-sink" / "default").exists()
    os.close(descriptor)
    outcomes = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], [stderr for _, stderr in outcomes]
    built = sorted(built_column(stderr) for _, stderr in outcomes)
    # The one that waited finds the outputs current, unless told to rebuild anyway.
    assert built == ([ALL_BUILT, ALL_BUILT] if force else ["-", ALL_BUILT])
    assert visible_tree(out) == trees[1]
    assert leftovers(out / "kitchen-sink") == []


KILL_AT_STEP = """
import os, shutil, signal
_step = [0]
_kill_at = int(os.environ["KILL_AT_STEP"])
def _counted(function):
    def step(*args, **kwargs):
        _step[0] += 1
        if _step[0] == _kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return function(*args, **kwargs)
    return step
for _name in ("replace", "rename", "symlink", "unlink", "rmdir"):
    setattr(os, _name, _counted(getattr(os, _name)))
shutil.rmtree = _counted(shutil.rmtree)
"""


def test_a_build_killed_before_each_step_that_changes_build_leaves_the_old_or_the_new_outputs(tmp_path):
    # The random kills above rarely land on the instant of a swap; this kills the build
    # just before its first, second, third ... rename, link, unlink or removal, in turn.
    source, texts, trees = two_versions(tmp_path)
    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(KILL_AT_STEP, encoding="utf-8")
    out = tmp_path / "build"
    source.write_text(texts[0], encoding="utf-8")
    assert run("build", str(source), "--out", str(out), "--jobs", "1").returncode == 0
    source.write_text(texts[1], encoding="utf-8")
    seen = set()
    for step in range(1, 60):
        result = run("build", str(source), "--out", str(out), "--jobs", "1", "--force",
                     env=dict(environment(), PYTHONPATH=str(inject), KILL_AT_STEP=str(step)))
        tree = visible_tree(out)
        assert tree in (trees[0], trees[1]), f"killed before step {step}, build/ is neither the old outputs nor the new ones"
        seen.add(0 if tree == trees[0] else 1)
        if result.returncode == 0:
            break
        assert result.returncode == -signal.SIGKILL, result.stderr
        # Each kill starts from the old outputs again, so that every step is tried on a real change.
        if tree == trees[1]:
            source.write_text(texts[0], encoding="utf-8")
            assert run("build", str(source), "--out", str(out), "--jobs", "1").returncode == 0
            source.write_text(texts[1], encoding="utf-8")
    else:
        pytest.fail("the build never finished: more steps than expected")
    assert seen == {0, 1} and step > 3
    assert visible_tree(out) == trees[1]
    assert leftovers(out / "kitchen-sink") == []
