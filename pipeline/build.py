"""Build outputs: validate, resolve, render each format into a staging folder, then move into place.

Nothing reaches build/ unless every requested format of a workbook/brand pair
rendered: a bad source, a bad brand or a renderer failure leaves the previous
outputs exactly as they were.

Each output records a content hash of what it was made from (source and its
images, brand folder, templates, schemas and the toolkit's own code); an output
whose hash is unchanged is skipped unless --force.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from . import formats as _formats
from . import resources
from .problems import Problem, UserError
from .stamps import (  # noqa: F401  (re-exported: tests and other modules import them from here)
    CHUNK, PUBLISH_FILE, STAMP_FOLDER, _read_stamp, _stamp_path, _write_stamp, input_fingerprint,
    referenced_files, toolkit_fingerprint, translation_ids, up_to_date_formats, write_atomically,
)

if TYPE_CHECKING:
    from typing import Callable

    from .brand import Brand
    from .resolve import Document

# The model, schemas, renderers and even shutil/tempfile are imported where they
# are used, so that a rebuild with nothing to do answers without loading them.

# The formats, in build order: see pipeline/formats.py (one record per format).
FORMATS = tuple(fmt.name for fmt in _formats.FORMATS)

# The toolkit's checkout (None when installed), for the benchmark and the tests;
# the user's files are found from the current folder (pipeline/project.py).
PROJECT_ROOT = resources.checkout()
DEFAULT_BRAND = resources.bundled_brand()


def output_name(workbook_id: str, fmt: str) -> str:
    """The file (or folder) name of one format's output inside build/<workbook>/<brand>/."""
    return _formats.BY_NAME[fmt].output_name(workbook_id)


def renderer(fmt: str) -> Callable[[Document, Brand, Path], None]:
    return _formats.BY_NAME[fmt].renderer()


def load_document(source: Path, strict: bool = False, formats: tuple[str, ...] = ()) -> tuple[Document, list[Problem]]:
    """Validate and resolve a source and its build settings, with the preflight checks of `formats`; raise UserError if it has errors."""
    from .publish import load_publish_config
    from .resolve import resolve
    from .validate import validate_file

    result, problems = validate_file(source)
    publish, publish_problems = load_publish_config(source)
    problems = problems + publish_problems
    if result.workbook is not None:
        from .i18n import language_problems

        problems = problems + language_problems(result.workbook)
    if result.workbook is not None and publish is not None and not any(p.severity == "error" for p in problems):
        document = resolve(result.workbook, publish)
        for fmt in formats:
            problems = problems + _formats.BY_NAME[fmt].check(document)
    blocking = [p for p in problems if p.severity == "error" or (strict and p.severity == "warning")]
    if blocking:
        raise UserError(problems)
    return document, problems


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
    from .branding import brand_document
    from .language import localise

    document = _DOCUMENTS.get(_document_key(Path(source))) or load_document(Path(source))[0]
    brand = _BRANDS.get(brand_folder)
    if brand is None:
        brand, problems = load_brand(Path(brand_folder))
        if brand is None:
            raise UserError(problems)
    # The brand's and the language's changes to the content are made once, here, for every format.
    document = localise(brand_document(document, brand), editions=document.editions)
    seconds = {}
    for fmt in formats:
        started = time.perf_counter()
        renderer(fmt)(document, brand, Path(staging) / output_name(document.workbook.id, fmt))
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

    try:
        status = source.stat()
    except OSError as exc:  # deleted or made unreadable since it was validated
        raise cannot_read(source, exc) from None
    try:
        settings = publish_file(source).stat()
        settings_key = (settings.st_mtime_ns, settings.st_size)
    except OSError:
        settings_key = None
    return (str(source.resolve()), status.st_mtime_ns, status.st_size, settings_key)


def cannot_read(path: Path, exc: OSError) -> UserError:
    """The error for an input that cannot be read (deleted during the build, no permission, ...)."""
    return UserError(f"{path}: error: cannot read {path}: {exc.strerror or exc} [source.unreadable]")


def build_pairs(pairs: list[tuple[Path, Brand]], formats: tuple[str, ...], out_root: Path, strict: bool = False, force: bool = False, jobs: int = 1, progress: Callable[[int, int, str], None] | None = None) -> list[BuildResult]:
    """Build every (source, brand) pair; each pair's outputs change together, in one atomic swap (see output_swap)."""
    from . import output_swap
    from .locks import pair_locks, remove_held_lock

    plans = []
    for source, brand in pairs:
        fingerprint = input_fingerprint(source, brand.folder, out_root)
        fresh = () if force else up_to_date_formats(out_root, source, brand.folder, formats, fingerprint)
        todo = tuple(fmt for fmt in formats if fmt not in fresh)
        document = _load_planned_document(source, strict, todo) if todo else None
        workbook_id = document.workbook.id if document else _read_stamp(_stamp_path(out_root, source, brand.folder))["workbook_id"]
        plans.append(_Plan(source, brand, workbook_id, todo, fresh, fingerprint))
    _refuse_shared_output_folders(plans, out_root)
    _find_editions([(plan[0], _DOCUMENTS.get(_document_key(plan[0]))) for plan in plans if plan[3]], strict)

    _BRANDS.clear()
    _BRANDS.update({str(brand.folder): brand for _, brand in pairs})
    # Folders this build creates; removed again if it fails, so a failed first
    # build leaves no trace in build/.
    created = [folder for folder in [out_root, *(out_root / plan.workbook_id for plan in plans if plan.todo)] if not folder.exists()]
    locks = [output_swap.lock_path(out_root / plan.workbook_id / plan.brand.name) for plan in plans if plan.todo]
    versions: dict[int, Path] = {}
    succeeded = False
    with pair_locks(locks):
        try:
            plans = [_replan_under_lock(plan, out_root, formats, strict, force) for plan in plans]
            for index, plan in enumerate(plans):
                if plan.todo:
                    versions[index] = output_swap.new_version(out_root / plan.workbook_id / plan.brand.name)
            seconds = _render_all(plans, versions, jobs, progress)
            results = []
            for index, plan in enumerate(plans):
                target = out_root / plan.workbook_id / plan.brand.name
                if plan.todo:
                    rebuilt = {output_name(plan.workbook_id, fmt) for fmt in plan.todo}
                    for name in rebuilt:
                        if not (versions[index] / name).exists():
                            raise RuntimeError(f"renderer did not write {name}")
                    output_swap.carry_over(target, versions[index], rebuilt)
                    output_swap.publish(target, versions[index])
                    _write_stamp(out_root, plan.source, plan.brand.folder, plan.workbook_id, plan.brand.name, plan.todo, plan.fingerprint)
                results.append(BuildResult(
                    plan.workbook_id, plan.brand.name, target,
                    {fmt: target / output_name(plan.workbook_id, fmt) for fmt in formats},
                    built=plan.todo, skipped=plan.fresh, seconds=seconds.get(index, {}),
                ))
            succeeded = True
            return results
        finally:
            if not succeeded:
                import shutil

                for index, version in versions.items():
                    if output_swap.current_version(out_root / plans[index].workbook_id / plans[index].brand.name) != version:
                        shutil.rmtree(version, ignore_errors=True)
                for folder in reversed(created):
                    for lock in locks:
                        if lock.parent == folder:
                            remove_held_lock(lock)  # ours, held: no one else can be using it
                    try:
                        folder.rmdir()  # only if now empty
                    except OSError:
                        pass


class _Plan(NamedTuple):
    """What building one pair takes: which formats to render and which are already current."""

    source: Path
    brand: Brand
    workbook_id: str
    todo: tuple[str, ...]
    fresh: tuple[str, ...]
    fingerprint: str


def _load_planned_document(source: Path, strict: bool, formats: tuple[str, ...]) -> Document:
    key = _document_key(source)
    document = _DOCUMENTS.get(key)
    if document is None:
        document, _ = load_document(source, strict=strict, formats=formats)
        _DOCUMENTS[key] = document
    return document


def _replan_under_lock(plan: _Plan, out_root: Path, formats: tuple[str, ...], strict: bool, force: bool) -> _Plan:
    """Tidy what killed runs left and look again at what is current, now that no other build of the pair runs.

    A build that waited for the lock often finds the other build made
    everything it was going to make.
    """
    from . import output_swap

    if not plan.todo:
        return plan
    target = out_root / plan.workbook_id / plan.brand.name
    output_swap.remove_leftovers(target)
    output_swap.adopt_plain_folder(target)
    if force:
        return plan
    fresh = up_to_date_formats(out_root, plan.source, plan.brand.folder, formats, plan.fingerprint)
    todo = tuple(fmt for fmt in formats if fmt not in fresh)
    if todo and not set(todo) <= set(plan.todo):
        _load_planned_document(plan.source, strict, todo)  # preflight checks of formats first planned as current
    return plan._replace(todo=todo, fresh=fresh)


def _render_all(plans: list[_Plan], versions: dict[int, Path], jobs: int, progress) -> dict[int, dict[str, float]]:
    """Render every planned format into its pair's new version folder, in worker processes when --jobs > 1."""
    tasks = []
    for index, plan in enumerate(plans):
        if not plan.todo:
            continue
        if len(plans) >= jobs:
            # Enough pairs to keep every worker busy: a task per pair, so one
            # worker renders all of a brand's formats and reuses its work.
            tasks.append((index, str(plan.source), str(plan.brand.folder), plan.todo, str(versions[index])))
        else:
            tasks += [(index, str(plan.source), str(plan.brand.folder), (fmt,), str(versions[index])) for fmt in plan.todo]

    seconds: dict[int, dict[str, float]] = {}
    total = sum(len(task[3]) for task in tasks)
    done = 0

    def finished(index: int, timings: dict[str, float]) -> None:
        nonlocal done
        seconds.setdefault(index, {}).update(timings)
        done += len(timings)
        if progress:
            progress(done, total, f"{plans[index].workbook_id}/{plans[index].brand.name} {', '.join(timings)}")

    if jobs > 1 and len(tasks) > 1:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        # The renderers are imported by the workers that use them, in
        # parallel, rather than here before forking (which would be serial).
        # Workers inherit the pair locks' descriptors: a worker outliving a
        # killed build keeps the pair locked until it stops writing.
        with ProcessPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
            futures = {pool.submit(_render_formats, *task[1:]): task[0] for task in tasks}
            for future in as_completed(futures):
                finished(futures[future], future.result())
    else:
        for index, *task in tasks:
            finished(index, _render_formats(*task))
    return seconds


def _find_editions(loaded: list[tuple[Path, Document | None]], strict: bool) -> None:
    """Find each document's other-language editions (<translation>) among the build's sources or beside it, and attach them.

    An edition that is missing, in another language or that does not name its
    twin back stops the build (exit 2); sections only one edition has are
    warnings (errors with --strict).
    """
    from dataclasses import replace

    from .editions import find_editions, source_beside

    documents = [(source, document) for source, document in loaded if document is not None and document.workbook.meta.translations]
    if not documents:
        return
    by_id = {document.workbook.id: document.workbook for _, document in loaded if document is not None}
    problems: list[Problem] = []
    for source, document in documents:
        editions, found = find_editions(document.workbook, by_id, source_beside(source))
        problems += found
        _DOCUMENTS[_document_key(source)] = replace(document, editions=tuple(editions))
    if any(problem.severity == "error" or strict for problem in problems):
        raise UserError(problems)
    for problem in problems:
        print(problem, file=sys.stderr)


def _refuse_shared_output_folders(plans, out_root: Path) -> None:
    """Two pairs that would write the same build/<workbook>/<brand>/ folder: the second would silently replace the first."""
    owners: dict[tuple[str, str], tuple[Path, Path]] = {}
    problems = []
    for source, brand, workbook_id, *_ in plans:  # _Plan records
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


# Fingerprints, stamps and write_atomically live in pipeline/stamps.py, the
# commands in pipeline/build_commands.py; their names stay importable from here.
# The commands are looked up on first use (build_commands imports this module).
_COMMANDS = frozenset({"default_sources", "parse_shard", "run_build", "show_progress", "build_command", "build_all_command"})


def __getattr__(name: str):
    if name in _COMMANDS:
        from . import build_commands

        return getattr(build_commands, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
