"""Build outputs: validate, resolve, render each format into a staging folder, then move into place.

Nothing reaches build/ unless every requested format of a workbook/brand pair
rendered: a bad source, a bad brand or a renderer failure leaves the previous
outputs exactly as they were.

Each output records a content hash of what it was made from (source and its
images, brand folder, templates, schemas and the toolkit's own code); an output
whose hash is unchanged is skipped unless --force.
"""
from __future__ import annotations

import hashlib
import importlib
import json
import os
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .problems import Problem, UserError

if TYPE_CHECKING:
    from typing import Callable, Iterable

    from .brand import Brand
    from .resolve import Document

# The model, schemas, renderers and even shutil/tempfile are imported where they
# are used, so that a rebuild with nothing to do answers without loading them.

FORMATS = ("html", "docx", "epub", "scorm12", "scorm2004", "pdf")

# format -> "module:function"; each renderer is `render(doc, brand, out_dir) -> Path`
# and writes exactly the output named by `output_name`.
RENDERERS: dict[str, str] = {
    "html": "pipeline.render.html:render_html",
    "docx": "pipeline.render.docx:render_docx",
    "epub": "pipeline.render.epub:render_epub",
    "scorm12": "pipeline.render.scorm:render_scorm12",
    "scorm2004": "pipeline.render.scorm:render_scorm2004",
    "pdf": "pipeline.render.pdf:render_pdf_into",
}

# Checks a format makes of a resolved document before anything is rendered;
# their warnings are shown with the source's, and --strict makes them errors.
PREFLIGHTS: dict[str, str] = {
    "docx": "pipeline.render.docx_preflight:preflight_docx",
    "scorm12": "pipeline.render.scorm:preflight_scorm12",
    "scorm2004": "pipeline.render.scorm:preflight_scorm2004",
}

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BRAND = PROJECT_ROOT / "brands" / "default"
BRANDS_ROOT = PROJECT_ROOT / "brands"
SOURCE_ROOT = PROJECT_ROOT / "source"
STAMP_FOLDER = ".stamps"


def output_name(workbook_id: str, fmt: str) -> str:
    """The file (or folder) name of one format's output inside build/<workbook>/<brand>/."""
    return {
        "html": "html",
        "docx": f"{workbook_id}.docx",
        "epub": f"{workbook_id}.epub",
        "scorm12": f"{workbook_id}-scorm12.zip",
        "scorm2004": f"{workbook_id}-scorm2004.zip",
        "pdf": f"{workbook_id}.pdf",
    }[fmt]


def renderer(fmt: str) -> Callable[[Document, Brand, Path], Path]:
    module_name, function_name = RENDERERS[fmt].split(":")
    return getattr(importlib.import_module(module_name), function_name)


def load_document(source: Path, strict: bool = False, formats: tuple[str, ...] = ()) -> tuple[Document, list[Problem]]:
    """Validate and resolve a source and its build settings, with the preflight checks of `formats`; raise UserError if it has errors."""
    from .publish import load_publish_config
    from .resolve import resolve
    from .validate import validate_file

    result, problems = validate_file(source)
    publish, publish_problems = load_publish_config(source)
    problems = problems + publish_problems
    if result.workbook is not None and publish is not None and not any(p.severity == "error" for p in problems):
        document = resolve(result.workbook, publish)
        for fmt in formats:
            if fmt in PREFLIGHTS:
                module_name, function_name = PREFLIGHTS[fmt].split(":")
                problems = problems + getattr(importlib.import_module(module_name), function_name)(document)
    blocking = [p for p in problems if p.severity == "error" or (strict and p.severity == "warning")]
    if blocking:
        raise UserError(problems)
    return document, problems


# --- what an output was made from ----------------------------------------------------


def _hash_files(digest, files: Iterable[Path], root: Path) -> None:
    for path in sorted(files):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())


@lru_cache(maxsize=1)
def toolkit_fingerprint() -> str:
    """A hash of the toolkit itself: its code, templates and schemas."""
    digest = hashlib.sha256()
    for folder in ("pipeline", "templates", "schema"):
        _hash_files(digest, (PROJECT_ROOT / folder).rglob("*"), PROJECT_ROOT)
    return digest.hexdigest()


def input_fingerprint(source: Path, brand_folder: Path, out_root: Path | None = None) -> str:
    """A hash of everything a workbook/brand pair's outputs are made from."""
    digest = hashlib.sha256(toolkit_fingerprint().encode())
    source = source.resolve()
    # The source and the files beside it (images); the brand folder entire. An
    # output folder inside the source folder is not an input: hashing it would
    # make every build out of date.
    skip = out_root.resolve() if out_root is not None else None
    beside = (path for path in source.parent.rglob("*") if skip is None or not path.is_relative_to(skip))
    _hash_files(digest, beside, source.parent)
    digest.update(b"\0brand\0")
    _hash_files(digest, brand_folder.resolve().rglob("*"), brand_folder.resolve())
    digest.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
    return digest.hexdigest()


def _stamp_path(out_root: Path, source: Path, brand_folder: Path) -> Path:
    """Where a pair's stamp says which output folder it last built."""
    key = hashlib.sha256(f"{source.resolve()}\0{brand_folder.resolve()}".encode()).hexdigest()[:20]
    return out_root / STAMP_FOLDER / f"{key}.json"


def _record_path(out_root: Path, workbook_id: str, brand_name: str) -> Path:
    """Where an output folder records which source and brand made its files, and from what."""
    return out_root / STAMP_FOLDER / "outputs" / workbook_id / f"{brand_name}.json"


def _read_stamp(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def up_to_date_formats(out_root: Path, source: Path, brand_folder: Path, formats: tuple[str, ...], fingerprint: str) -> tuple[str, ...]:
    """The formats whose output is current: made by this very source and brand, from the same inputs.

    The output folder's own record is what counts: another source with the same
    workbook id (or another brand folder of the same name) may have written
    there since.
    """
    stamp = _read_stamp(_stamp_path(out_root, source, brand_folder))
    if "workbook_id" not in stamp or "brand" not in stamp:
        return ()
    record = _read_stamp(_record_path(out_root, stamp["workbook_id"], stamp["brand"]))
    if record.get("source") != str(source.resolve()) or record.get("brand_folder") != str(brand_folder.resolve()):
        return ()
    target = out_root / stamp["workbook_id"] / stamp["brand"]
    return tuple(
        fmt for fmt in formats
        if record.get("formats", {}).get(fmt) == fingerprint
        and (target / output_name(stamp["workbook_id"], fmt)).exists()
    )


def _write_stamp(out_root: Path, source: Path, brand_folder: Path, workbook_id: str, brand_name: str, formats: Iterable[str], fingerprint: str) -> None:
    owner = {"source": str(source.resolve()), "brand_folder": str(brand_folder.resolve())}
    write_atomically(_stamp_path(out_root, source, brand_folder),
                     (json.dumps({"workbook_id": workbook_id, "brand": brand_name, **owner}, indent=2, sort_keys=True) + "\n").encode())
    record_path = _record_path(out_root, workbook_id, brand_name)
    record = _read_stamp(record_path)
    if {key: record.get(key) for key in owner} != owner:
        record = dict(owner)  # a new owner: nothing the old one built counts as current
    record.setdefault("formats", {}).update({fmt: fingerprint for fmt in formats})
    write_atomically(record_path, (json.dumps(record, indent=2, sort_keys=True) + "\n").encode())


# --- rendering ---------------------------------------------------------------------------


class BuildResult:
    """What building one workbook/brand pair did: where its outputs are, which were built or skipped."""

    def __init__(self, workbook_id: str, brand_name: str, target: Path, outputs: dict[str, Path],
                 built: tuple[str, ...] = (), skipped: tuple[str, ...] = (), seconds: dict[str, float] | None = None):
        self.workbook_id = workbook_id
        self.brand_name = brand_name
        self.target = target
        self.outputs = outputs
        self.built = built
        self.skipped = skipped
        self.seconds = seconds or {}


def build_workbook(source: Path, brand: Brand, formats: tuple[str, ...] = FORMATS, out_root: Path = Path("build"), strict: bool = False, force: bool = True, jobs: int = 1) -> BuildResult:
    """Build the given formats of one workbook with one brand, atomically."""
    return build_pairs([(Path(source), brand)], formats, Path(out_root), strict=strict, force=force, jobs=jobs)[0]


def _render_formats(source: str, brand_folder: str, formats: tuple[str, ...], staging: str) -> dict[str, float]:
    """Render some formats of one pair into `staging` (in a worker process when --jobs > 1); return seconds per format."""
    from .brand import load_brand

    document = _DOCUMENTS.get(_document_key(Path(source))) or load_document(Path(source))[0]
    brand = _BRANDS.get(brand_folder)
    if brand is None:
        brand, problems = load_brand(Path(brand_folder))
        if brand is None:
            raise UserError(problems)
    seconds = {}
    for fmt in formats:
        started = time.perf_counter()
        renderer(fmt)(document, brand, Path(staging))
        seconds[fmt] = time.perf_counter() - started
    return seconds


# Documents resolved while planning, by source path. Worker processes are
# forked after planning, so they inherit these instead of parsing again.
_DOCUMENTS: dict[tuple, Document] = {}
# Brands of the current build by folder, shared the same way (and so one
# Brand object per brand, which lets renderers reuse work between formats).
_BRANDS: dict[str, Brand] = {}


def _document_key(source: Path) -> tuple:
    """Identify a source file's current content, and its publish.json's, cheaply, so an edited file is never served stale."""
    from .publish import publish_file

    stat = source.stat()
    try:
        settings = publish_file(source).stat()
        settings_key = (settings.st_mtime_ns, settings.st_size)
    except OSError:
        settings_key = None
    return (str(source.resolve()), stat.st_mtime_ns, stat.st_size, settings_key)


def build_pairs(pairs: list[tuple[Path, Brand]], formats: tuple[str, ...], out_root: Path, strict: bool = False, force: bool = False, jobs: int = 1, progress: Callable[[int, int, str], None] | None = None) -> list[BuildResult]:
    """Build every (source, brand) pair; all formats of a pair move into place together."""
    import shutil
    import tempfile

    plans = []
    for source, brand in pairs:
        fingerprint = input_fingerprint(source, brand.folder, out_root)
        fresh = () if force else up_to_date_formats(out_root, source, brand.folder, formats, fingerprint)
        todo = tuple(fmt for fmt in formats if fmt not in fresh)
        document = None
        if todo:
            document = _DOCUMENTS.get(_document_key(source))
            if document is None:
                document, _ = load_document(source, strict=strict, formats=todo)
                _DOCUMENTS[_document_key(source)] = document
        workbook_id = document.workbook.id if document else _read_stamp(_stamp_path(out_root, source, brand.folder))["workbook_id"]
        plans.append((source, brand, workbook_id, todo, fresh, fingerprint))
    _refuse_shared_output_folders(plans, out_root)

    _BRANDS.clear()
    _BRANDS.update({str(brand.folder): brand for _, brand in pairs})
    tasks = []
    stagings: dict[int, Path] = {}
    # Folders this build creates; removed again if it fails, so a failed first
    # build leaves no trace in build/.
    created = [folder for folder in [out_root, *(out_root / plan[2] for plan in plans if plan[3])] if not folder.exists()]
    for index, (source, brand, workbook_id, todo, _, _) in enumerate(plans):
        if not todo:
            continue
        parent = out_root / workbook_id
        parent.mkdir(parents=True, exist_ok=True)
        stagings[index] = Path(tempfile.mkdtemp(prefix=f".{brand.name}-staging-", dir=parent))
        if len(plans) >= jobs:
            # Enough pairs to keep every worker busy: a task per pair, so one
            # worker renders all of a brand's formats and reuses its work.
            tasks.append((index, str(source), str(brand.folder), todo, str(stagings[index])))
        else:
            tasks += [(index, str(source), str(brand.folder), (fmt,), str(stagings[index])) for fmt in todo]

    seconds: dict[int, dict[str, float]] = {}
    total = sum(len(task[3]) for task in tasks)
    done = 0

    def finished(index: int, timings: dict[str, float]) -> None:
        nonlocal done
        seconds.setdefault(index, {}).update(timings)
        done += len(timings)
        if progress:
            progress(done, total, f"{plans[index][2]}/{plans[index][1].name} {', '.join(timings)}")

    try:
        if jobs > 1 and len(tasks) > 1:
            from concurrent.futures import ProcessPoolExecutor, as_completed

            # The renderers are imported by the workers that use them, in
            # parallel, rather than here before forking (which would be serial).
            with ProcessPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
                futures = {pool.submit(_render_formats, *task[1:]): task[0] for task in tasks}
                for future in as_completed(futures):
                    finished(futures[future], future.result())
        else:
            for index, *task in tasks:
                finished(index, _render_formats(*task))

        results = []
        for index, (source, brand, workbook_id, todo, fresh, fingerprint) in enumerate(plans):
            target = out_root / workbook_id / brand.name
            if todo:
                _move_into_place(stagings[index], target, [output_name(workbook_id, fmt) for fmt in todo])
                _write_stamp(out_root, source, brand.folder, workbook_id, brand.name, todo, fingerprint)
            results.append(BuildResult(
                workbook_id, brand.name, target,
                {fmt: target / output_name(workbook_id, fmt) for fmt in formats},
                built=todo, skipped=fresh, seconds=seconds.get(index, {}),
            ))
        created = []  # the build succeeded: keep them
        return results
    finally:
        for staging in stagings.values():
            shutil.rmtree(staging, ignore_errors=True)
        for folder in reversed(created):
            try:
                folder.rmdir()  # only if still empty
            except OSError:
                pass


def _refuse_shared_output_folders(plans, out_root: Path) -> None:
    """Two pairs that would write the same build/<workbook>/<brand>/ folder: the second would silently replace the first."""
    owners: dict[tuple[str, str], tuple[Path, Path]] = {}
    problems = []
    for source, brand, workbook_id, *_ in plans:
        key = (workbook_id, brand.name)
        if key in owners and owners[key] != (source.resolve(), brand.folder):
            first_source, first_brand = owners[key]
            clash = f"workbook id '{workbook_id}'" if first_source != source.resolve() else f"brand name '{brand.name}'"
            problems.append(f"{source}: error: {out_root / workbook_id / brand.name} would be written twice: by {first_source} with "
                            f"{first_brand} and by {source.resolve()} with {brand.folder}, which share the {clash}; give one a "
                            "different id (or brand folder name) [build.output-clash]")
        owners.setdefault(key, (source.resolve(), brand.folder))
    if problems:
        raise UserError(problems)


def _move_into_place(staging: Path, target: Path, names: list[str]) -> list[Path]:
    import shutil

    target.mkdir(parents=True, exist_ok=True)
    moved = []
    for name in names:
        new = staging / name
        if not new.exists():
            raise RuntimeError(f"renderer did not write {name}")
        final = target / name
        if new.is_dir():
            # A folder cannot be swapped in one rename over a non-empty one: move
            # the old aside, rename the new in, then delete the old.
            old = target / f".{name}.old"
            shutil.rmtree(old, ignore_errors=True)
            if final.exists():
                os.replace(final, old)
            os.replace(new, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(new, final)
        moved.append(final)
    return moved


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    import tempfile

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- the commands ---------------------------------------------------------------------------


def default_sources() -> list[Path]:
    found = sorted(SOURCE_ROOT.glob("*/workbook.xml")) + sorted(SOURCE_ROOT.glob("*/workbook.json"))
    # Shown in messages: "source/x/workbook.xml:12: ..." reads better than an absolute path.
    return [_relative_to_cwd(path) for path in found]


def _relative_to_cwd(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


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
            document, problems = load_document(source, strict=strict, formats=formats)
            _DOCUMENTS[_document_key(source)] = document
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
        raise UserError(f"{SOURCE_ROOT}: error: no workbooks found; add source/<id>/workbook.xml or name a SOURCE [build.no-sources]")
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
    return run_build(args.sources or default_sources(), [args.brand or DEFAULT_BRAND], args)


def build_all_command(args) -> int:
    if args.brands:
        folders = list(args.brands)
    else:
        folders = sorted(path.parent for path in BRANDS_ROOT.glob("*/brand.json"))
    return run_build(args.sources or default_sources(), folders, args)
