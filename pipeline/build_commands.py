"""The `build` and `build-all` commands: sources and brands from the command line, the "nothing to do" answer, progress and summary.

Building the pairs themselves is pipeline/build.py's `build_pairs`. Like build.py,
this module loads the model, brands and renderers only where it uses them, so that
a rebuild with nothing to do answers without them.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from . import build, project
from .build import FORMATS, BuildResult, build_pairs, output_name
from .problems import Problem, UserError
from .stamps import _read_stamp, _stamp_path, input_fingerprint, up_to_date_formats

if TYPE_CHECKING:
    from .brand import Brand


def default_sources() -> list[Path]:
    # Relative to the current folder, as messages show them: "source/x/workbook.xml:12: ...".
    return project.workbook_sources()


def _load_brand_or_fail(folder: Path, strict: bool = False) -> Brand:
    from .brand import load_brand

    brand, problems = load_brand(folder)
    if brand is None or (strict and problems):
        raise UserError(problems)
    for problem in problems:  # warnings, such as an SVG logo with no PNG copy for Word
        print(problem, file=sys.stderr)
    return brand


def _check_sources(sources: list[Path], strict: bool, formats: tuple[str, ...]) -> None:
    """Validate every source before building any, so one bad workbook stops the run before anything is written."""
    failed: list[Problem] = []
    for source in sources:
        try:
            # Through the module, so that a test's stand-in for build.load_document is the one called.
            document, problems = build.load_document(source, strict=strict, formats=formats)
            build._DOCUMENTS[build._document_key(source)] = document
            for problem in problems:
                print(problem, file=sys.stderr)
        except UserError as exc:
            failed += exc.problems
    if failed:
        raise UserError(failed)


def parse_shard(text: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise UserError(f"error: --shard takes I/N with whole numbers, such as 2/8; got {text!r} [build.bad-shard]") from None
    if not 1 <= index <= count:
        raise UserError(f"error: --shard {text}: I must be between 1 and N [build.bad-shard]")
    return index, count


def run_build(sources: list[Path], brand_folders: list[Path], args) -> int:
    if not sources:
        raise UserError(f"{project.SOURCE_FOLDER.resolve()}: error: no workbooks found; add source/<id>/workbook.xml or name a SOURCE [build.no-sources]")
    if args.out.exists() and not args.out.is_dir():
        raise UserError(f"{args.out}: error: --out names a file; name a folder for the outputs (default: build) [output.unwritable]")
    folder_pairs = [(Path(source), Path(folder)) for source in sources for folder in brand_folders]
    if getattr(args, "shard", None):
        index, count = parse_shard(args.shard)
        folder_pairs = folder_pairs[index - 1::count]
    formats = tuple(dict.fromkeys(args.formats)) if args.formats else FORMATS
    started = time.perf_counter()
    if not args.force:
        fresh = _results_if_all_up_to_date(folder_pairs, formats, args.out)
        if fresh is not None:
            _print_summary(fresh, time.perf_counter() - started)
            return 0
    brands = {folder: _load_brand_or_fail(folder, args.strict) for folder in dict.fromkeys(folder for _, folder in folder_pairs)}
    _check_sources(list(dict.fromkeys(source for source, _ in folder_pairs)), args.strict, formats)
    pairs = [(source, brands[folder]) for source, folder in folder_pairs]
    progress = show_progress if len(pairs) * len(formats) > 1 else None
    results = build_pairs(pairs, formats, args.out, strict=args.strict, force=args.force, jobs=args.jobs, progress=progress)
    _print_summary(results, time.perf_counter() - started)
    return 0


def _results_if_all_up_to_date(folder_pairs, formats, out_root: Path) -> list[BuildResult] | None:
    """When every output is current, say so without loading the model, the brand or a renderer.

    A brand folder whose fingerprint matches was valid when it was last built,
    so it needs no checking again.
    """
    results = []
    for source, folder in folder_pairs:
        if not source.is_file() or not (folder / "brand.json").is_file():
            return None
        fingerprint = input_fingerprint(source, folder, out_root)
        if up_to_date_formats(out_root, source, folder, formats, fingerprint) != formats:
            return None
        stamp = _read_stamp(_stamp_path(out_root, source, folder))
        target = out_root / stamp["workbook_id"] / stamp["brand"]
        results.append(BuildResult(stamp["workbook_id"], stamp["brand"], target,
                                   {fmt: target / output_name(stamp["workbook_id"], fmt) for fmt in formats}, skipped=formats))
    return results


# Hand-written rather than rich's Progress and Table: importing rich.progress and
# rich.table took 0.17-0.31 s here (python -X importtime), more than a whole
# rebuild with nothing to do (about 0.13 s, measured by make bench), for a bar
# and a table of a dozen lines each.
def show_progress(done: int, total: int, what: str, width: int = 24) -> None:
    """A progress bar on a terminal; one plain line per output in logs."""
    filled = width * done // total
    line = f"[{'#' * filled}{'-' * (width - filled)}] {done}/{total} {what}"
    if sys.stderr.isatty():
        end = "\n" if done == total else ""
        print(f"\r\033[K{line}", end=end, file=sys.stderr, flush=True)
    else:
        print(line, file=sys.stderr)


def _print_summary(results: list[BuildResult], elapsed: float) -> None:
    rows = [("workbook", "brand", "built", "up to date", "output")]
    for result in results:
        rows.append((result.workbook_id, result.brand_name, ", ".join(result.built) or "-", ", ".join(result.skipped) or "-", str(result.target)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip(), file=sys.stderr)
    print(f"{len(results)} workbook/brand pair(s) in {elapsed:.2f} s", file=sys.stderr)


def build_command(args) -> int:
    return run_build(args.sources or default_sources(), [project.brand_folder(args.brand)], args)


def build_all_command(args) -> int:
    if args.brands:
        folders = [project.brand_folder(folder) for folder in args.brands]
    else:
        folders = project.every_brand_folder()
    return run_build(args.sources or default_sources(), folders, args)
