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
import json
import os
import re
import stat
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from . import formats as _formats
from . import project, resources
from .problems import Problem, UserError

if TYPE_CHECKING:
    from typing import Callable, Iterable

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
STAMP_FOLDER = ".stamps"
# pipeline.publish.PUBLISH_FILE (a test keeps them equal): importing that module
# loads dataclasses, which a rebuild with nothing to do cannot spare.
PUBLISH_FILE = "publish.json"


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


# --- what an output was made from ----------------------------------------------------


CHUNK = 1 << 20  # fingerprints read files 1 MiB at a time: a large image never sits in memory whole


def _hash_file(digest, path: Path, name: str) -> None:
    """Add one file's name and content hash; a file that cannot be read, or is not a regular file, adds a marker instead.

    Opened without blocking and checked with fstat before reading, so a FIFO
    or a device named by a source cannot hang or flood the fingerprint; the
    build's own reading then reports it properly.
    """
    digest.update(name.encode("utf-8", "surrogatepass") + b"\0")
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        digest.update(f"unreadable:{getattr(exc, 'errno', None)}\0".encode())
        return
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            digest.update(b"not-a-file\0")
            return
        content = hashlib.sha256()
        while chunk := os.read(descriptor, CHUNK):
            content.update(chunk)
        digest.update(content.digest())
    except OSError as exc:
        digest.update(f"unreadable:{exc.errno}\0".encode())
    finally:
        os.close(descriptor)


def _hash_files(digest, files: Iterable[Path], root: Path) -> None:
    for path in sorted(files):
        if "__pycache__" not in path.parts and path.is_file():
            _hash_file(digest, path, path.relative_to(root).as_posix())


@lru_cache(maxsize=1)
def toolkit_fingerprint() -> str:
    """A hash of the toolkit itself: its code, templates and schemas."""
    digest = hashlib.sha256()
    for folder, root in resources.code_folders():
        _hash_files(digest, folder.rglob("*"), root)
    return digest.hexdigest()


# Image references, found without parsing the source: <image src="..."> in the
# XML form, "src": "..." in the JSON form. Anything else matched (a video's
# address, say) names no file in the source folder and adds only a marker.
_XML_SRC = re.compile(rb"""\bsrc\s*=\s*(?:"([^"<]*)"|'([^'<]*)')""")
_JSON_SRC = re.compile(rb'"src"\s*:\s*"((?:[^"\\]|\\.)*)"')


def referenced_files(source: Path, data: bytes) -> list[str]:
    """The image paths a source's text refers to, as written (relative to its folder), sorted and without repeats."""
    found = set()
    if source.suffix == ".json":
        for match in _JSON_SRC.finditer(data):
            try:
                found.add(json.loads(b'"' + match.group(1) + b'"'))
            except ValueError:
                continue
    else:
        for match in _XML_SRC.finditer(data):
            raw = (match.group(1) if match.group(1) is not None else match.group(2)).decode("utf-8", "replace")
            if "&" in raw:  # an entity or character reference; html.entities is large, so only then
                import html

                raw = html.unescape(raw)
            found.add(raw)
    return sorted(found)


# <translation workbook="ID"/> (either attribute order) and its JSON form: the other-language
# editions, whose titles and pages this workbook's outputs name and link to.
_XML_TRANSLATION = re.compile(rb"""<translation\b[^>]*?\bworkbook\s*=\s*["']([a-z][a-z0-9-]{0,79})["']""")
_JSON_TRANSLATION = re.compile(
    rb'"type"\s*:\s*"translation"[^{}]*?"workbook"\s*:\s*"([a-z][a-z0-9-]{0,79})"'
    rb'|"workbook"\s*:\s*"([a-z][a-z0-9-]{0,79})"[^{}]*?"type"\s*:\s*"translation"')


def translation_ids(source: Path, data: bytes) -> list[str]:
    """The workbook ids a source names as its translations, sorted and without repeats."""
    if source.suffix == ".json":
        return sorted({(match.group(1) or match.group(2)).decode() for match in _JSON_TRANSLATION.finditer(data)})
    return sorted({match.group(1).decode() for match in _XML_TRANSLATION.finditer(data)})


def _read_source_bytes(source: Path) -> bytes | None:
    """The source's bytes for finding its images (None if it cannot be read as a regular file; validation says why)."""
    try:
        descriptor = os.open(source, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (OSError, ValueError):
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        chunks = []
        while chunk := os.read(descriptor, CHUNK):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(descriptor)


def input_fingerprint(source: Path, brand_folder: Path, out_root: Path | None = None) -> str:
    """A hash of everything a workbook/brand pair's outputs are made from.

    For the source that is exactly what a build reads: the source file, the
    images it refers to and its publish.json; never the other files beside
    it (a source in /tmp must not hash /tmp, and an unrelated 1 GB or
    unreadable file must cost nothing). `out_root` is kept for callers; an
    output folder beside the source is no longer read at all.
    """
    digest = hashlib.sha256(toolkit_fingerprint().encode())
    folder = Path(os.path.realpath(source.parent))
    data = _read_source_bytes(source)
    digest.update(hashlib.sha256(data).digest() if data is not None else b"unreadable-source")
    for name in referenced_files(source, data or b""):
        digest.update(b"\0image\0")
        try:
            path = Path(os.path.realpath(folder / name))
        except (OSError, ValueError):
            digest.update(b"bad-path")
            continue
        if not path.is_relative_to(folder):
            digest.update(b"outside")  # refused by validation; never read
            continue
        _hash_file(digest, path, name)
    digest.update(b"\0publish\0")
    _hash_file(digest, folder / PUBLISH_FILE, PUBLISH_FILE)
    # The other-language editions beside this one (source/<id>/): their titles and pages are in these outputs.
    digest.update(b"\0editions\0")
    for workbook_id in translation_ids(source, data or b""):
        for name in ("workbook.xml", "workbook.json"):
            _hash_file(digest, folder.parent / workbook_id / name, f"{workbook_id}/{name}")
    digest.update(b"\0brand\0")
    brand_root = brand_folder.resolve()
    _hash_files(digest, brand_root.rglob("*"), brand_root)
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
