"""`workbook new`: start a council's own project in an empty folder.

The files' text is in templates/new/ (the markup there, the choices here).
Nothing is written unless the folder is empty or new, so a project is never
half overwritten; the files are rendered first, then written.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from . import resources
from .problems import UserError

ID_PATTERN = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")  # the id type of schema/workbook.xsd
# What a folder may already hold: a freshly made or cloned git repository is where a
# project usually starts (git init, then workbook new .), and nothing here writes in .git.
ALLOWED_ALREADY = {".git"}
WORKFLOW_PATH = ".github/workflows/workbooks.yml"
SOURCE_DATE_EPOCH = "1767225600"  # the CI builds' fixed timestamp, so outputs compare byte for byte


def new_project(folder: Path, workbook_id: str, brand_name: str, council: str, shards: int, sample: bool = False) -> list[Path]:
    """Write a starter project into `folder` (empty or new); return the files written."""
    _check_arguments(folder, workbook_id, brand_name, council)
    files = render_project(folder, workbook_id, brand_name, council, shards, sample)
    written: list[Path] = []
    made: list[Path] = []  # folders this made, removed again if writing fails
    try:
        for relative, data in files.items():
            path = folder / relative
            missing = [parent for parent in path.parents if not parent.exists()]
            for parent in reversed(missing):
                parent.mkdir()
                made.append(parent)
            with open(path, "xb") as stream:  # "x": never replace a file, even one made since the check
                written.append(path)
                stream.write(data)
        if sample:
            target = folder / "source" / resources.SAMPLE_ID
            made.append(target)
            shutil.copytree(resources.sample_workbook(), target, ignore=shutil.ignore_patterns("__pycache__"))
            for name in ("workbook.xml", "publish.json"):
                _point_at_installed_schemas(target / name, folder)
            written += sorted(path for path in target.rglob("*") if path.is_file())
    except BaseException:
        # A disk that fills, a folder made read-only meanwhile: leave the folder as it was.
        for path in written:
            path.unlink(missing_ok=True)
        for path in reversed(made):
            shutil.rmtree(path, ignore_errors=True)
        raise
    return written


SCHEMA_NAMES = ("workbook.xsd", "workbook.schema.json", "brand.schema.json", "publish.schema.json")


def _point_at_installed_schemas(path: Path, project: Path) -> None:
    """The sample names its schemas as the checkout has them (../../schema/...): name the installed ones."""
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    for name in SCHEMA_NAMES:
        text = text.replace(f'"../../schema/{name}"', f'"{resources.schema_reference(name, path.parent, project)}"')
    path.write_text(text, encoding="utf-8")


def _check_arguments(folder: Path, workbook_id: str, brand_name: str, council: str) -> None:
    problems = []
    if folder.exists() and not folder.is_dir():
        problems.append(f"{folder}: error: is a file; name an empty or new folder for the project [new.not-a-folder]")
    elif folder.is_dir() and (held := sorted(path.name for path in folder.iterdir() if path.name not in ALLOWED_ALREADY)):
        held = ", ".join(held[:5]) + (", ..." if len(held) > 5 else "")
        problems.append(f"{folder}: error: folder is not empty (it holds {held}); `workbook new` writes only into an "
                        "empty or new folder, so that it never replaces a file [new.not-empty]")
    for what, value in (("--id", workbook_id), ("--brand", brand_name)):
        if not ID_PATTERN.fullmatch(value):
            problems.append(f"error: {what} {value!r} must be lower-case letters and digits in hyphen-separated words, "
                            f"starting with a letter, such as my-council [new.bad-name]")
    if not council.strip() or re.search(r"[<>]", council):
        problems.append(f"error: --council {council!r} must be plain text (no < or >) [new.bad-name]")
    if problems:
        raise UserError(problems)


def render_project(folder: Path, workbook_id: str, brand_name: str, council: str, shards: int, sample: bool) -> dict[str, bytes]:
    """Every file of the new project, by its path relative to the project folder."""
    import jinja2

    version = resources.version()
    source_path = f"source/{workbook_id}/workbook.xml"
    brand_path = f"brands/{brand_name}/brand.json"
    context = {
        "workbook_id": workbook_id,
        "title": "My workbook",
        "brand_name": brand_name,
        "council": council,
        "version": version,
        "requirement": f"workbook-pipeline=={version}" if version != "unknown" else "workbook-pipeline",
        "source_path": source_path,
        "workflow_path": WORKFLOW_PATH,
        "shards": shards,
        "shard_names": [f"{index}/{shards}" for index in range(1, shards + 1)],
        # The bundled sample has warnings (links whose addresses are not known);
        # a project of its own starts clean and is kept so.
        "strict": "" if sample else "--strict ",
        "source_date_epoch": SOURCE_DATE_EPOCH,
    }
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.templates("new"))),
        autoescape=jinja2.select_autoescape(["xml"], default_for_string=False, default=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    outputs = {
        source_path: ("workbook.xml.j2", {"schema_location": resources.schema_reference("workbook.xsd", (folder / source_path).parent, folder)}),
        brand_path: ("brand.json.j2", {"schema_location": resources.schema_reference("brand.schema.json", (folder / brand_path).parent, folder)}),
        "README.md": ("README.md.j2", {}),
        ".gitignore": ("gitignore.j2", {}),
        WORKFLOW_PATH: ("ci-workflow.yml.j2", {}),
    }
    return {path: environment.get_template(name).render(**context, **extra).encode("utf-8")
            for path, (name, extra) in outputs.items()}
