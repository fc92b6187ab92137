"""`make bench`: measure the toolkit against plain pandoc, in one run on this machine.

Every figure is the median of several fresh processes, and speed is reported
as a ratio against a baseline measured in the same run, so the numbers mean
the same on a slower or faster machine. Results: a table on stdout and
build/bench/results.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from urllib.request import urlopen

from .. import dump, model
from ..build import PROJECT_ROOT
from ..load import load_source
from ..resolve import resolve
from .markdown import to_markdown

WORKBOOK = PROJECT_ROOT / "source" / "commissioning-services" / "workbook.xml"
KITCHEN_SINK = PROJECT_ROOT / "tests" / "fixtures" / "kitchen-sink" / "workbook.xml"
DEFAULT_BRAND = PROJECT_ROOT / "brands" / "default"
BATCH_BRANDS = 20


def run_measured(command: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """Run a command; return (wall seconds, peak resident memory in MB of it and its children, stderr)."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, env=env, cwd=PROJECT_ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        text = errors.read().decode("utf-8", "replace")
    if process.returncode != 0:
        raise SystemExit(f"benchmark command failed ({process.returncode}): {' '.join(command)}\n{text}")
    return elapsed, usage.ru_maxrss / 1024, text


def median_of(runs: int, command_factory, env) -> dict:
    times, memory = [], []
    for index in range(runs):
        commands = command_factory(index)
        total, peak = 0.0, 0.0
        for command in commands:
            elapsed, rss, _ = run_measured(command, env)
            total += elapsed
            peak = max(peak, rss)
        times.append(total)
        memory.append(peak)
    return {"median_s": statistics.median(times), "runs_s": times, "peak_mb": max(memory)}


def pipeline_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", *args]


def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def weasyprint_path() -> str:
    """The weasyprint command installed beside this Python (the PDF renderer's own copy)."""
    return str(Path(sys.executable).with_name("weasyprint"))


def scaled_workbook(source: Path, copies: int, folder: Path) -> Path:
    """Write a workbook made of `copies` repeats of `source`'s sections, every id made fresh."""
    workbook = load_source(source).workbook
    sections = []
    for copy in range(1, copies + 1):
        sections += [_rename_ids(section, f"-c{copy}") for section in workbook.sections]
    scaled = replace(workbook, id=f"{workbook.id}-x{copies}", sections=tuple(sections))
    folder.mkdir(parents=True, exist_ok=True)
    for item in source.parent.iterdir():  # images travel with the source
        if item.is_dir():
            shutil.copytree(item, folder / item.name, dirs_exist_ok=True)
    path = folder / "workbook.xml"
    path.write_bytes(dump.to_xml(scaled))
    return path


# Every field that holds an id or names one (ChoiceAnswer.choice names a choice).
_ID_FIELDS = ("id", "target", "quiz", "statement", "choice")


def _rename_ids(node, suffix: str):
    changes = {}
    for name in node.__dataclass_fields__:
        if name == "loc":
            continue
        value = getattr(node, name)
        if name in _ID_FIELDS and isinstance(value, str):
            changes[name] = value + suffix
        elif isinstance(value, tuple):
            changes[name] = tuple(_rename_ids(item, suffix) if isinstance(item, model.NODE_TYPES) else item for item in value)
        elif isinstance(value, model.NODE_TYPES):
            changes[name] = _rename_ids(value, suffix)
    return replace(node, **changes)


EDIT_MARKER = "This workbook pulls together resources from the programme"


def warm_rebuild(runs: int, env: dict, work: Path) -> dict:
    """Seconds from saving a one-paragraph edit to `serve` serving the new page, against a cold `build --format html`."""
    source_dir = work / "serve-source"
    shutil.copytree(WORKBOOK.parent, source_dir)
    source = source_dir / "workbook.xml"
    cold_out = work / "cold-html"
    cold = median_of(runs, lambda _: [pipeline_command("build", str(source), "--format", "html", "--force", "--out", str(cold_out))], env)
    page = next(path for path in sorted(cold_out.rglob("*.html")) if EDIT_MARKER in path.read_text(encoding="utf-8")).name
    original = source.read_text(encoding="utf-8")
    process = subprocess.Popen(pipeline_command("serve", str(source), "--port", "0"), stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, env=env, cwd=PROJECT_ROOT)
    times = []
    try:
        banner = process.stdout.readline().decode("utf-8")
        match = re.search(r"at (http://\S+/) ", banner)
        if match is None:
            raise SystemExit(f"benchmark: serve did not start: {banner!r}")
        url = match.group(1)
        with urlopen(url + "__preview__/events", timeout=60) as events:
            build = _next_event(events)
            for index in range(runs):
                edited = f"{EDIT_MARKER} (warm edit {index})"
                started = time.perf_counter()
                source.write_text(original.replace(EDIT_MARKER, edited, 1), encoding="utf-8")
                latest = build
                while latest == build:  # keep-alive comments arrive every 15 s, so bound the wait here
                    if time.perf_counter() - started > 60:
                        raise SystemExit(f"benchmark: serve did not rebuild within 60 s of edit {index}")
                    latest = _next_event(events)
                build = latest
                with urlopen(url + page, timeout=60) as response:
                    body = response.read().decode("utf-8")
                times.append(time.perf_counter() - started)
                if edited not in body:
                    raise SystemExit(f"benchmark: build {build} of serve does not show the edit in {page}")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    warm = {"median_s": statistics.median(times), "runs_s": times, "page": page}
    return {"warm": warm, "cold_html_build": cold, "ratio": warm["median_s"] / cold["median_s"]}


def _next_event(stream) -> str:
    """The data of the next Server-Sent Event (comments and `retry:` skipped)."""
    while True:
        line = stream.readline().decode("utf-8")
        if not line:
            raise SystemExit("benchmark: serve closed its event stream")
        if line.startswith("data: "):
            return line[len("data: "):].strip()


def make_brands(folder: Path, count: int) -> list[Path]:
    """`count` brands that differ in name and primary colour, all passing the contrast checks."""
    base = json.loads((DEFAULT_BRAND / "brand.json").read_text(encoding="utf-8"))
    brands = []
    for index in range(count):
        brand = folder / f"council-{index + 1:02d}"
        brand.mkdir(parents=True, exist_ok=True)
        data = json.loads(json.dumps(base))
        data.pop("$schema", None)
        data["council"]["name"] = f"Example Council {index + 1}"
        shade = 0x20 + index * 3
        data["colours"]["primary"] = f"#{shade:02x}2a{0x60 - index:02x}"
        (brand / "brand.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
        brands.append(brand)
    return brands


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median taken; default 5)")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "build" / "bench")
    args = parser.parse_args(argv)
    runs = max(1, args.runs)

    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="work-", dir=args.out))
    env = dict(os.environ, SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", "1767225600"))
    results: dict = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}, "runs": runs}

    def report(step: str) -> None:
        print(f"bench: {step}", file=sys.stderr, flush=True)

    try:
        # 1. Full build, fresh process, every output, one job.
        report("full build")
        full_out = work / "full"
        results["full_build"] = median_of(runs, lambda _: [pipeline_command("build", str(WORKBOOK), "--force", "--out", str(full_out))], env)
        results["full_build"]["jobs"] = os.cpu_count()
        # The same in one process: what a single core gives, and the memory of one process doing everything.
        results["full_build_one_job"] = median_of(runs, lambda _: [pipeline_command("build", str(WORKBOOK), "--force", "--jobs", "1", "--out", str(full_out))], env)

        # 2. The plain-pandoc baseline: HTML, DOCX, EPUB 3 and PDF from the same content.
        report("pandoc baseline")
        markdown = work / "workbook.md"
        markdown.write_text(to_markdown(resolve(load_source(WORKBOOK).workbook)), encoding="utf-8")
        pandoc = pandoc_path()
        pandoc_version = subprocess.run([pandoc, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
        pandoc_commands = [
            [pandoc, str(markdown), "-s", "-o", str(work / "pandoc.html")],
            [pandoc, str(markdown), "-o", str(work / "pandoc.docx")],
            [pandoc, str(markdown), "-t", "epub3", "-o", str(work / "pandoc.epub")],
        ]
        # The same engine as ours (WeasyPrint, the venv's own), so the PDF ratio measures our overhead.
        pandoc_pdf = [pandoc, str(markdown), "-s", f"--pdf-engine={weasyprint_path()}", "-o", str(work / "pandoc.pdf")]
        results["pandoc_baseline"] = median_of(runs, lambda _: [*pandoc_commands, pandoc_pdf], env)
        results["pandoc_baseline"]["version"] = pandoc_version
        # 3. The ratios: six outputs against pandoc's four, and the PDF alone against pandoc's.
        results["ratio_full_over_pandoc"] = results["full_build"]["median_s"] / results["pandoc_baseline"]["median_s"]
        report("pdf")
        pdf_out = work / "pdf"
        results["pdf"] = {
            "ours": median_of(runs, lambda _: [pipeline_command("build", str(WORKBOOK), "--format", "pdf", "--force", "--out", str(pdf_out))], env),
            "pandoc": median_of(runs, lambda _: [pandoc_pdf], env),
        }
        results["pdf"]["ratio"] = results["pdf"]["ours"]["median_s"] / results["pdf"]["pandoc"]["median_s"]

        # 4. No-op rebuild, and one edit.
        report("no-op rebuild")
        results["noop_rebuild"] = median_of(runs, lambda _: [pipeline_command("build", str(WORKBOOK), "--out", str(full_out))], env)
        report("one edit")
        edit_source_dir = work / "edit-source"
        shutil.copytree(WORKBOOK.parent, edit_source_dir)
        edit_source = edit_source_dir / "workbook.xml"
        edit_out = work / "edit"
        subprocess.run(pipeline_command("build", str(edit_source), str(KITCHEN_SINK), "--out", str(edit_out)), env=env, check=True, capture_output=True, cwd=PROJECT_ROOT)
        original = edit_source.read_text(encoding="utf-8")
        marker = "This workbook pulls together resources from the programme"

        def edited(index: int):
            edit_source.write_text(original.replace(marker, f"{marker} (edit {index})", 1), encoding="utf-8")
            return [pipeline_command("build", str(edit_source), str(KITCHEN_SINK), "--out", str(edit_out))]

        results["one_edit"] = median_of(runs, edited, env)
        _, _, summary = run_measured(edited(runs + 1)[0], env)
        results["one_edit"]["summary"] = summary.strip().splitlines()[-3:]

        # 4c. The preview: the same kind of edit, rebuilt by a warm `serve`.
        report("warm rebuild in serve")
        results["warm_rebuild"] = warm_rebuild(runs, env, work)

        # 5. Growth: the kitchen sink at 1x, 10x and 50x.
        report("growth")
        growth = {}
        for copies in (1, 10, 50):
            source = KITCHEN_SINK if copies == 1 else scaled_workbook(KITCHEN_SINK, copies, work / f"x{copies}")
            out = work / f"growth-x{copies}"
            growth[f"x{copies}"] = median_of(runs, lambda _: [pipeline_command("build", str(source), "--force", "--out", str(out))], env)
            growth[f"x{copies}"]["bytes"] = source.stat().st_size
        growth["x10_over_x1"] = growth["x10"]["median_s"] / growth["x1"]["median_s"]
        growth["x50_over_x1"] = growth["x50"]["median_s"] / growth["x1"]["median_s"]
        results["growth"] = growth

        # 6. Batch: 20 brands x every output, one job and two.
        report("batch")
        brands = make_brands(work / "brands", BATCH_BRANDS)
        brand_args = [arg for brand in brands for arg in ("--brand", str(brand))]
        batch = {}
        for jobs in (1, 2):
            out = work / f"batch-j{jobs}"
            batch[f"jobs{jobs}"] = median_of(runs, lambda _: [pipeline_command("build-all", str(WORKBOOK), *brand_args, "--force", "--jobs", str(jobs), "--out", str(out))], env)
        batch["speedup_jobs2"] = batch["jobs1"]["median_s"] / batch["jobs2"]["median_s"]
        results["batch"] = batch

        # 8. Import: the Commissioning DOCX back to a source, against pandoc reading the same file to JSON.
        report("import")
        docx_out = work / "import-docx"
        subprocess.run(pipeline_command("build", str(WORKBOOK), "--format", "docx", "--out", str(docx_out)),
                       env=env, check=True, capture_output=True, cwd=PROJECT_ROOT)
        docx_file = next(docx_out.rglob("*.docx"))
        results["import"] = median_of(runs, lambda index: [pipeline_command(
            "import", str(docx_file), "-o", str(work / f"import-{index}" / "workbook.xml"))], env)
        results["import_pandoc_json"] = median_of(runs, lambda _: [[pandoc, "-f", "docx", "-t", "json", str(docx_file), "-o", os.devnull]], env)
        results["ratio_import_over_pandoc_json"] = results["import"]["median_s"] / results["import_pandoc_json"]["median_s"]

        # 7. Peak memory of the full build (measured in step 1).
        results["peak_memory_mb"] = {
            "full_build": results["full_build"]["peak_mb"],
            "full_build_one_job": results["full_build_one_job"]["peak_mb"],
            "pandoc_largest": results["pandoc_baseline"]["peak_mb"],
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)

    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(format_table(results))
    print(f"\n(results in {args.out / 'results.json'})")
    return 0


def format_table(results: dict) -> str:
    full, pandoc, growth, batch = results["full_build"], results["pandoc_baseline"], results["growth"], results["batch"]
    rows = [
        ("figure", "measured", "target"),
        ("1. full build, 6 outputs (median)", f"{full['median_s']:.2f} s", f"(default --jobs, {full['jobs']} CPUs)"),
        ("1. full build, --jobs 1", f"{results['full_build_one_job']['median_s']:.2f} s", ""),
        ("2. pandoc baseline, 4 outputs (median)", f"{pandoc['median_s']:.2f} s", f"({pandoc['version']})"),
        ("3. ratio full build / pandoc", f"{results['ratio_full_over_pandoc']:.2f}", "<= 1.0 (aim 0.5)"),
        ("3. ratio, --jobs 1 / pandoc", f"{results['full_build_one_job']['median_s'] / pandoc['median_s']:.2f}", ""),
        ("3. PDF alone / pandoc --pdf-engine=weasyprint", f"{results['pdf']['ratio']:.2f}",
         f"({results['pdf']['ours']['median_s']:.2f} s / {results['pdf']['pandoc']['median_s']:.2f} s)"),
        ("4a. no-op rebuild", f"{results['noop_rebuild']['median_s']:.3f} s", "< 0.15 s"),
        ("4b. one paragraph edited", f"{results['one_edit']['median_s']:.2f} s", "only its outputs redone"),
        ("4c. serve: edit saved -> new page served", f"{results['warm_rebuild']['warm']['median_s']:.3f} s", ""),
        ("4c. cold build --format html", f"{results['warm_rebuild']['cold_html_build']['median_s']:.2f} s", ""),
        ("4c. ratio serve warm rebuild / cold html build", f"{results['warm_rebuild']['ratio']:.3f}", "<= 0.1"),
        ("5. growth 10x / 1x", f"{growth['x10_over_x1']:.1f}x", "<= 10x"),
        ("5. growth 50x / 1x", f"{growth['x50_over_x1']:.1f}x", "<= 50x"),
        ("6. batch 20 brands, --jobs 1", f"{batch['jobs1']['median_s']:.1f} s", ""),
        ("6. batch 20 brands, --jobs 2", f"{batch['jobs2']['median_s']:.1f} s", ""),
        ("6. speed-up with 2 jobs", f"{batch['speedup_jobs2']:.2f}x", ">= 1.7x"),
        ("7. peak memory, full build (largest process)", f"{results['peak_memory_mb']['full_build']:.0f} MB", "< 150 MB"),
        ("7. peak memory, full build --jobs 1", f"{results['peak_memory_mb']['full_build_one_job']:.0f} MB", "< 150 MB"),
        ("7. peak memory, pandoc (largest of 4)", f"{results['peak_memory_mb']['pandoc_largest']:.0f} MB", ""),
    ]
    if "import" in results:
        rows += [
            ("8. import the Commissioning DOCX", f"{results['import']['median_s']:.2f} s", "validated source written"),
            ("8. pandoc -f docx -t json, same file", f"{results['import_pandoc_json']['median_s']:.2f} s", ""),
            ("8. ratio import / pandoc -t json", f"{results['ratio_import_over_pandoc_json']:.2f}", ""),
        ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
