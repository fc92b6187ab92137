"""Installed like MkDocs: a wheel in a fresh virtual environment, `workbook new`, then build anywhere (issue 19).

The slow tests build the sdist and wheel with `python -m build`, install the
wheel into a new virtual environment outside the checkout and run the console
script in an empty folder with PYTHONPATH unset. Each command runs under an
audit hook that records every file or folder it opens or lists inside the
checkout, so "nothing was read from the checkout" is checked, not assumed.
The quick tests run `workbook new` from the checkout.
"""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from pipeline import scaffold
from tests.validators import epubcheck, errors, format_findings, libreoffice, scorm_xsd, vnu

ROOT = Path(__file__).resolve().parent.parent
EPOCH = "1767225600"
WORKBOOK, BRAND = "my-workbook", "my-council"

# Runs the toolkit's command line with an audit hook (inherited by forked build
# workers) that appends to $WORKBOOK_AUDIT_LOG every path it touches under the checkout.
AUDITED = """
import os, sys
checkout, log = sys.argv[1], os.environ["WORKBOOK_AUDIT_LOG"]
def audit(event, args):
    if event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.path.abspath(os.fsdecode(args[0]))
        if path == checkout or path.startswith(checkout + os.sep):
            with open(log, "a", encoding="utf-8") as stream:
                stream.write(f"{event} {path}\\n")
sys.addaudithook(audit)
from pipeline.__main__ import main
sys.exit(main(sys.argv[2:]))
"""


def run(command: list[str], cwd: Path, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


class Installed:
    def __init__(self, venv: Path, env: dict, audit_log: Path):
        self.venv, self.env, self.audit_log = venv, env, audit_log
        self.python = venv / "bin" / "python"
        self.script = venv / "bin" / "workbook"

    def workbook(self, *args: str, cwd: Path) -> subprocess.CompletedProcess:
        """The command line, under the audit hook."""
        return run([str(self.python), "-c", AUDITED, str(ROOT), *args], cwd, self.env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    work = tmp_path_factory.mktemp("install")
    dist = work / "dist"
    # sdist, then the wheel built from the unpacked sdist: both must carry the data.
    built = run([sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)], ROOT)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    [wheel] = dist.glob("*.whl")
    venv = work / "venv"
    made = run([sys.executable, "-m", "venv", str(venv)], work)
    assert made.returncode == 0, made.stderr
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(SOURCE_DATE_EPOCH=EPOCH, XDG_CACHE_HOME=str(work / "cache"), WORKBOOK_AUDIT_LOG=str(work / "audit.log"),
               PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    pip = run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], work, env)
    assert pip.returncode == 0, pip.stderr[-3000:]
    return Installed(venv, env, work / "audit.log")


@pytest.fixture(scope="module")
def project(installed, tmp_path_factory) -> Path:
    """A project made by the installed `workbook new` (the console script), validated and built there."""
    folder = tmp_path_factory.mktemp("council") / "project"
    folder.mkdir()
    made = run([str(installed.script), "new", "--shards", "3"], folder, installed.env)
    assert made.returncode == 0, made.stderr
    checked = installed.workbook("validate", "--strict", f"source/{WORKBOOK}/workbook.xml", cwd=folder)
    assert checked.returncode == 0, checked.stderr
    assert f"source/{WORKBOOK}/workbook.xml: 0 error(s), 0 warning(s)" in checked.stderr
    built = installed.workbook("build", "--brand", BRAND, "--strict", "--jobs", "2", cwd=folder)
    assert built.returncode == 0, built.stderr
    return folder


def outputs(project: Path) -> Path:
    return project / "build" / WORKBOOK / BRAND


@pytest.mark.slow
def test_the_installed_toolkit_runs_from_site_packages_and_reads_nothing_from_the_checkout(installed, project):
    found = run([str(installed.python), "-c", "import pipeline.resources as r; print(r.checkout()); print(r.data_root())"],
                project, installed.env)
    assert found.returncode == 0, found.stderr
    checkout, data_root = found.stdout.splitlines()
    assert checkout == "None"
    assert Path(data_root).is_relative_to(installed.venv) and "site-packages" in Path(data_root).parts
    schema = run([str(installed.script), "schema", "--path"], project, installed.env)
    assert schema.returncode == 0 and Path(schema.stdout.strip()) == Path(data_root) / "schema"
    assert (Path(data_root) / "schema" / "workbook.xsd").is_file()
    # new, validate and build ran: none of them opened or listed anything in the checkout.
    touched = installed.audit_log.read_text(encoding="utf-8") if installed.audit_log.exists() else ""
    assert touched == ""
    # The compiled-template cache is the user's, not site-packages'.
    assert any((Path(installed.env["XDG_CACHE_HOME"]) / "workbook-pipeline" / "jinja-sandboxed").iterdir())
    assert not list(installed.venv.rglob(".cache"))


@pytest.mark.slow
def test_the_console_script_and_python_m_pipeline_agree(installed, project):
    for args in (["--version"], ["--help"], ["build", "--format", "rtf"]):
        script = run([str(installed.script), *args], project, installed.env)
        module = run([str(installed.python), "-m", "pipeline", *args], project, installed.env)
        assert (script.returncode, script.stdout, script.stderr) == (module.returncode, module.stdout, module.stderr)
    assert script.returncode == 2
    version = run([str(installed.script), "--version"], project, installed.env)
    assert version.stdout == "workbook 0.1.0\n"


@pytest.mark.slow
def test_new_then_build_gives_every_format_and_each_passes_its_validator(project, tmp_path):
    out = outputs(project)
    pages = sorted((out / "html").glob("*.html"))
    assert pages and (out / "html" / "index.html") in pages
    findings = errors(vnu.check_html(pages))
    assert findings == [], format_findings(findings)
    findings = errors(epubcheck.check_epub(out / f"{WORKBOOK}.epub"))
    assert findings == [], format_findings(findings)
    assert scorm_xsd.validate_package(out / f"{WORKBOOK}-scorm12.zip", "1.2") == []
    assert scorm_xsd.validate_package(out / f"{WORKBOOK}-scorm2004.zip", "2004") == []
    pdf = libreoffice.convert_to_pdf(out / f"{WORKBOOK}.docx", tmp_path)
    assert libreoffice.pdf_page_count(pdf) >= 2
    assert "Reflect on your role" in libreoffice.pdf_text(pdf)


@pytest.mark.slow
def test_the_new_project_names_the_installed_schemas(installed, project):
    schema_folder = Path(run([str(installed.script), "schema", "--path"], project, installed.env).stdout.strip())
    source = (project / "source" / WORKBOOK / "workbook.xml").read_text(encoding="utf-8")
    assert f'xsi:noNamespaceSchemaLocation="{(schema_folder / "workbook.xsd").as_uri()}"' in source
    brand = (project / "brands" / BRAND / "brand.json").read_text(encoding="utf-8")
    assert f'"$schema": "{(schema_folder / "brand.schema.json").as_uri()}"' in brand


@pytest.mark.slow
def test_the_installed_new_refuses_a_non_empty_folder(installed, tmp_path):
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    result = installed.workbook("new", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr == (".: error: folder is not empty (it holds notes.txt); `workbook new` writes only into an empty "
                             "or new folder, so that it never replaces a file [new.not-empty]\n")
    assert tree(tmp_path) == {"notes.txt": b"keep me"}


@pytest.mark.slow
def test_the_wheel_carries_the_toolkits_files_as_package_data(installed):
    [wheel] = (installed.venv.parent / "dist").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("pipeline/_data/templates/html/base.html.j2", "pipeline/_data/templates/docx/reference.docx",
                 "pipeline/_data/templates/new/workbook.xml.j2", "pipeline/_data/schema/workbook.xsd",
                 "pipeline/_data/schema/brand.schema.json", "pipeline/_data/brands/default/brand.json",
                 "pipeline/_data/sample/workbook.xml"):
        assert name in names
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]
    # Every module of the checkout is in the wheel, and every file that is not code
    # inside the package (translation catalogs, say).
    inside = [path for path in (ROOT / "pipeline").rglob("*") if path.is_file() and "__pycache__" not in path.parts]
    assert any(path.name == "resources.py" for path in inside)
    assert {path.relative_to(ROOT).as_posix() for path in inside if path.suffix != ".pyc"} <= names


# --- workbook new, from the checkout ------------------------------------------------------------


def new(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return run([sys.executable, "-m", "pipeline", "new", *args], cwd, env, timeout=120)


def test_new_writes_a_project_and_lists_its_files(tmp_path):
    result = new("council", "--id", "adult-care", "--brand", "northvale", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "council/source/adult-care/workbook.xml", "council/brands/northvale/brand.json", "council/README.md",
        "council/.gitignore", "council/.github/workflows/workbooks.yml",
    ]
    assert "/build/" in (tmp_path / "council" / ".gitignore").read_text(encoding="utf-8").splitlines()
    readme = (tmp_path / "council" / "README.md").read_text(encoding="utf-8")
    assert "workbook build source/adult-care/workbook.xml --brand northvale" in readme


@pytest.mark.parametrize("shards", [1, 3, 8])
def test_the_workflow_is_yaml_whose_matrix_covers_every_shard(tmp_path, shards):
    result = new("--shards", str(shards), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    workflow = yaml.safe_load((tmp_path / scaffold.WORKFLOW_PATH).read_text(encoding="utf-8"))
    [job] = workflow["jobs"].values()
    assert job["strategy"]["matrix"]["shard"] == [f"{index}/{shards}" for index in range(1, shards + 1)]
    commands = [step.get("run", "") for step in job["steps"]]
    assert 'pip install "$TOOLKIT"' in commands
    assert "workbook validate --strict source/*/workbook.*" in commands
    assert "workbook build-all --strict --shard ${{ matrix.shard }}" in commands
    assert workflow["env"]["TOOLKIT"] == "workbook-pipeline==0.1.0"


def test_new_refuses_a_non_empty_folder_and_changes_nothing(tmp_path):
    folder = tmp_path / "project"
    (folder / "source").mkdir(parents=True)
    (folder / "README.md").write_text("ours", encoding="utf-8")
    result = new("project", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr == ("project: error: folder is not empty (it holds README.md, source); `workbook new` writes only "
                             "into an empty or new folder, so that it never replaces a file [new.not-empty]\n")
    assert tree(folder) == {"README.md": b"ours"} and (folder / "source").is_dir() and not any((folder / "source").iterdir())


def test_new_refuses_a_file_and_a_bad_id(tmp_path):
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    result = new("taken", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "taken: error: is a file; name an empty or new folder for the project [new.not-a-folder]\n"
    result = new("fresh", "--id", "Adult_Care", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == ("error: --id 'Adult_Care' must be lower-case letters and digits in hyphen-separated words, "
                             "starting with a letter, such as my-council [new.bad-name]\n")
    assert not (tmp_path / "fresh").exists()


def test_new_with_the_sample_gives_sources_that_validate(tmp_path):
    result = new("--sample", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    sample = tmp_path / "source" / "commissioning-services"
    assert (sample / "workbook.xml").is_file() and (sample / "publish.json").is_file()
    assert '"../../schema/' not in (sample / "publish.json").read_text(encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    checked = run([sys.executable, "-m", "pipeline", "validate", *sorted(str(path) for path in (tmp_path / "source").glob("*/workbook.xml"))],
                  tmp_path, env, timeout=120)
    assert checked.returncode == 0, checked.stderr
    # With the sample's warnings (links with no known address) the workflow is not --strict.
    assert "workbook validate source/*/workbook.*" in (tmp_path / scaffold.WORKFLOW_PATH).read_text(encoding="utf-8")


def test_the_audit_hook_sees_a_toolkit_that_reads_the_checkout(tmp_path):
    """The check above can fail: the toolkit run from the checkout is caught reading its schema and templates there."""
    log = tmp_path / "audit.log"
    env = dict(os.environ, PYTHONPATH=str(ROOT), WORKBOOK_AUDIT_LOG=str(log), XDG_CACHE_HOME=str(tmp_path / "cache"))
    result = run([sys.executable, "-c", AUDITED, str(ROOT), "new", "project"], tmp_path, env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"open {ROOT / 'templates' / 'new' / 'workbook.xml.j2'}" in log.read_text(encoding="utf-8").splitlines()


# --- paths from where the user works ------------------------------------------------------------


def test_a_brand_is_a_folder_else_a_name_in_brands_else_a_bundled_brand(tmp_path, monkeypatch):
    from pipeline import project, resources

    monkeypatch.chdir(tmp_path)
    assert project.brand_folder(None) == resources.bundled_brand("default")
    assert project.brand_folder(Path("default")) == resources.bundled_brand("default")
    (tmp_path / "brands" / "default").mkdir(parents=True)
    (tmp_path / "brands" / "default" / "brand.json").write_text("{}", encoding="utf-8")
    (tmp_path / "brands" / "northvale").mkdir()
    (tmp_path / "brands" / "northvale" / "brand.json").write_text("{}", encoding="utf-8")
    # The project's own brands come first, by name or by folder.
    assert project.brand_folder(None) == Path("brands/default")
    assert project.brand_folder(Path("default")) == Path("brands/default")
    assert project.brand_folder(Path("northvale")) == Path("brands/northvale")
    assert project.brand_folder(Path("brands/northvale")) == Path("brands/northvale")
    # Anything else is given back as it was, for the brand loader to report.
    assert project.brand_folder(Path("southvale")) == Path("southvale")
    assert project.every_brand_folder() == [Path("brands/default"), Path("brands/northvale")]


def test_build_all_with_no_brands_folder_uses_the_bundled_default_and_finds_sources_here(tmp_path):
    made = new(cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    (tmp_path / "brands" / BRAND / "brand.json").unlink()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    built = run([sys.executable, "-m", "pipeline", "build-all", "--format", "html", "--jobs", "1"], tmp_path, env, timeout=300)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "build" / WORKBOOK / "default" / "html" / "index.html").is_file()


def test_no_sources_here_is_a_user_error_naming_this_folder(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = run([sys.executable, "-m", "pipeline", "build"], tmp_path, env, timeout=120)
    assert result.returncode == 2
    assert result.stderr == (f"{tmp_path / 'source'}: error: no workbooks found; add source/<id>/workbook.xml or name a SOURCE "
                             "[build.no-sources]\n")


def test_new_writes_into_a_fresh_git_repository(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    result = new(".", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "source" / "my-workbook" / "workbook.xml").is_file()
    assert (tmp_path / ".git" / "HEAD").read_text(encoding="utf-8") == "ref: refs/heads/main\n"


def test_schema_lists_each_schema_and_path_prints_their_folder(tmp_path):
    from pipeline import resources

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    listed = run([sys.executable, "-m", "pipeline", "schema"], tmp_path, env, timeout=60)
    assert listed.returncode == 0, listed.stderr
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert [Path(path).name for path, _ in rows] == list(scaffold.SCHEMA_NAMES)
    assert all(Path(path).is_file() for path, _ in rows) and len(rows) == 4
    folder = run([sys.executable, "-m", "pipeline", "schema", "--path"], tmp_path, env, timeout=60)
    assert folder.stdout == f"{resources.schema()}\n"


def test_new_that_fails_part_way_leaves_the_folder_as_it_was(tmp_path, monkeypatch):
    """The disk fills while the sample is copied, after the project's own files are written: all of them go again."""
    folder = tmp_path / "project"
    folder.mkdir()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device", str(folder / "source" / "commissioning-services"))

    monkeypatch.setattr(scaffold.shutil, "copytree", disk_full)
    with pytest.raises(OSError, match="No space left"):
        scaffold.new_project(folder, WORKBOOK, BRAND, "My Council", 2, sample=True)
    assert list(folder.iterdir()) == []
