"""The command line: validate, convert and build workbooks.

Exit status: 0 success, 2 a problem with the user's input (reported as
`file:line: error: message [code]`), 1 a bug in the toolkit (with traceback).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .problems import UserError, has_errors

# Commands import what they need when they run: `build` with nothing to do
# must answer before the model, lxml or jsonschema are loaded.

EXIT_OK, EXIT_BUG, EXIT_USER_ERROR = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    from . import resources
    from .build import FORMATS

    parser = argparse.ArgumentParser(prog="workbook", description="Publish training workbooks from one source.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {resources.version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("validate", help="report every problem in workbook sources")
    check.add_argument("sources", nargs="+", metavar="SOURCE", type=Path)
    check.add_argument("--strict", action="store_true", help="treat warnings as errors (exit 2)")

    convert = commands.add_parser("convert", help="convert a source between its XML and JSON forms, losslessly")
    convert.add_argument("source", metavar="SOURCE", type=Path)
    convert.add_argument("--to", required=True, choices=("json", "xml"))
    convert.add_argument("-o", "--output", type=Path, help="write here instead of standard output")

    build = commands.add_parser("build", help="build the output formats of workbooks")
    build.add_argument("sources", nargs="*", metavar="SOURCE", type=Path, help="default: every workbook under source/")
    build.add_argument("--brand", type=Path, default=None, help="a brand folder, or the name of one in brands/ or bundled (default: brands/default, else the bundled default)")
    _add_build_options(build, FORMATS)

    importer = commands.add_parser("import", help="make a workbook source from a Word, ODT, Markdown or HTML file")
    importer.add_argument("file", metavar="FILE", type=Path, help="a .docx, .odt, .md or .html file")
    importer.add_argument("-o", "--output", type=Path, help="the source to write (default: source/<id>/workbook.xml)")
    importer.add_argument("--id", dest="workbook_id", help="the workbook's id (default: made from its title)")
    importer.add_argument("--force", action="store_true", help="replace an existing source")
    importer.add_argument("--strict", action="store_true", help="treat every guess (warning) as an error: write nothing")

    build_all = commands.add_parser("build-all", help="build every workbook with every brand (or those named)")
    build_all.add_argument("sources", nargs="*", metavar="SOURCE", type=Path, help="default: every workbook under source/")
    build_all.add_argument("--brand", dest="brands", action="append", type=Path, help="a brand folder or name (repeatable; default: every folder in brands/, else the bundled default)")
    build_all.add_argument("--shard", metavar="I/N", help="build only the I-th of N equal slices of the workbook/brand pairs")
    _add_build_options(build_all, FORMATS)

    new = commands.add_parser("new", help="start a project: a starter workbook, a brand, a README and a CI workflow")
    new.add_argument("folder", nargs="?", default=Path("."), type=Path, metavar="DIR", help="an empty or new folder (default: this one)")
    new.add_argument("--id", dest="workbook_id", default="my-workbook", help="the starter workbook's id (default: my-workbook)")
    new.add_argument("--brand", dest="brand_name", default="my-council", help="the brand folder's name (default: my-council)")
    new.add_argument("--council", default="My Council", help="the council's name in the brand (default: My Council)")
    new.add_argument("--shards", type=_positive_int, default=4, help="CI jobs to spread the builds over (default: 4)")
    new.add_argument("--sample", action="store_true", help="also copy the bundled sample workbook (Commissioning services)")

    schema = commands.add_parser("schema", help="where the XSD and JSON Schemas are, for editors")
    schema.add_argument("--path", action="store_true", help="print only the folder that holds them")
    serve = commands.add_parser("serve", help="preview one workbook's site, rebuilt and reloaded on every save")
    serve.add_argument("source", nargs="?", metavar="SOURCE", type=Path, help="default: the one workbook under source/")
    serve.add_argument("--brand", metavar="DIR", type=Path, default=None, help="a brand folder, or the name of one in brands/ or bundled (default: brands/default, else the bundled default)")
    serve.add_argument("--port", metavar="N", type=_port, default=8000, help="port on 127.0.0.1 (default: 8000; 0 picks a free one)")
    serve.add_argument("--open", action="store_true", help="open the preview in the web browser")
    return parser




def _add_build_options(parser: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    parser.add_argument("--format", dest="formats", action="append", choices=formats, help="build only this format (repeatable)")
    parser.add_argument("--force", action="store_true", help="rebuild even when outputs are up to date")
    parser.add_argument("--jobs", type=_positive_int, default=_default_jobs(), help="build N outputs at once (default: the number of CPUs)")
    parser.add_argument("--out", type=Path, default=Path("build"), help="output folder (default: build)")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")


def _default_jobs() -> int:
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))  # the CPUs this process may use
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be between 0 and 65535")
    return value


def command_validate(args) -> int:
    from .publish import load_publish_config
    from .validate import validate_file

    status = EXIT_OK
    for source in args.sources:
        result, problems = validate_file(source)
        problems += load_publish_config(source)[1]  # the build settings beside it, if any
        if result.workbook is not None:  # the language it is shown in has a catalog (as the build checks)
            from .i18n import language_problems

            problems += language_problems(result.workbook)
        for problem in problems:
            print(problem, file=sys.stderr)
        errors = sum(problem.severity == "error" for problem in problems)
        warnings = len(problems) - errors
        print(f"{source}: {errors} error(s), {warnings} warning(s)", file=sys.stderr)
        if errors or (args.strict and warnings):
            status = EXIT_USER_ERROR
    return status


def command_convert(args) -> int:
    from . import dump, jsonform
    from .validate import validate_file

    result, problems = validate_file(args.source)
    if has_errors(problems):
        raise UserError([problem for problem in problems if problem.severity == "error"])
    workbook = result.workbook
    schema = _schema_reference(args.output, "workbook.schema.json" if args.to == "json" else "workbook.xsd")
    if args.to == "json":
        output = jsonform.dumps(workbook, schema).encode("utf-8")
    else:
        output = dump.to_xml(workbook, schema)
    if args.output:
        from .build import write_atomically

        if args.output.is_dir():
            raise UserError(f"{args.output}: error: is a folder; name the file to write, such as {args.output / ('workbook.' + args.to)} [output.unwritable]")

        write_atomically(args.output, output)
        _honour_umask(args.output)
    else:
        sys.stdout.buffer.write(output)
    return EXIT_OK


def _honour_umask(path: Path) -> None:
    """Give a converted file the mode any new file gets (the atomic writer's temporary file is 0600)."""
    import os

    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


def _schema_reference(output, schema_file: str) -> str:
    """The schema's path as seen from where the file is written, so editors find it (source/<id>/ when printed)."""
    from . import resources

    # Printed, it is most likely saved as source/<id>/workbook.*.
    folder = Path(output).resolve().parent if output is not None else Path("source", "workbook")
    return resources.schema_reference(schema_file, folder)


def command_new(args) -> int:
    from .scaffold import new_project

    for path in new_project(args.folder, args.workbook_id, args.brand_name, args.council, args.shards, args.sample):
        print(path)
    return EXIT_OK


def command_schema(args) -> int:
    from . import resources

    if args.path:
        print(resources.schema())
        return EXIT_OK
    for name, what in (("workbook.xsd", "workbook sources (XML)"), ("workbook.schema.json", "workbook sources (JSON)"),
                       ("brand.schema.json", "brand.json"), ("publish.schema.json", "publish.json")):
        print(f"{resources.schema(name)}\t{what}")
    return EXIT_OK


def command_import(args) -> int:
    import re
    import tempfile

    from .importer import default_output, import_document, write_source
    from .model import SourceLocation
    from .problems import error

    if args.workbook_id is not None and not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", args.workbook_id):
        raise UserError(error(SourceLocation("--id"), f"'{args.workbook_id}' is not an id: use lower-case letters, "
                              "digits and single hyphens, starting with a letter", "import.bad-id"))
    with tempfile.TemporaryDirectory(prefix="workbook-import-") as work:
        imported = import_document(args.file, args.workbook_id, Path(work))
        output = args.output or default_output(imported.workbook.id)
        warnings = imported.problems  # in document order, as the author reads it
        if args.strict and warnings:
            raise UserError([problem._replace(severity="error") for problem in warnings])
        problems = warnings + write_source(imported, output, args.force, str(args.file), args.strict)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{output}: imported from {args.file} ({len(problems)} warning(s) to check)", file=sys.stderr)
    return EXIT_OK


def command_build(args) -> int:
    from .build_commands import build_command

    return build_command(args)


def command_build_all(args) -> int:
    from .build_commands import build_all_command

    return build_all_command(args)


def command_serve(args) -> int:
    from .serve import serve_command

    return serve_command(args)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler = {"validate": command_validate, "convert": command_convert, "import": command_import, "build": command_build,
               "build-all": command_build_all, "serve": command_serve, "new": command_new, "schema": command_schema}[args.command]
    try:
        return handler(args)
    except UserError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_USER_ERROR
    except OSError as exc:
        if args.command not in ("build", "build-all", "convert", "import", "new") or exc.filename is None:
            return _report_bug()
        # A file that cannot be read or written: a problem with the command's
        # arguments, the inputs or the machine, not with the toolkit. Which one
        # depends on where the file is: in the output place, it was being written.
        print(_file_problem(args, exc), file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception:
        return _report_bug()


def _file_problem(args, exc: OSError) -> str:
    """`cannot write <path>` for a file in the output place (--out, or -o's folder), else `cannot read <path>`."""
    import os

    reason = exc.strerror or str(exc)
    for name in (exc.filename, exc.filename2):
        if name is None:
            continue
        path = os.fsdecode(name)
        if _is_output(Path(os.path.abspath(path)), args):
            option = "--out" if args.command != "convert" else "-o"
            return f"{path}: error: cannot write {path}: {reason}; choose another {option} [output.unwritable]"
    path = os.fsdecode(exc.filename)
    return f"{path}: error: cannot read {path}: {reason} [source.unreadable]"


def _is_output(path: Path, args) -> bool:
    """Whether `path` is (or is inside) what the command writes: --out's folder, or -o's file, its folder and its temporary file."""
    import os

    if args.command == "import":
        return False  # the importer words its own write errors (importer.write_source); what reaches here was being read
    if args.command != "convert":
        return path.is_relative_to(os.path.abspath(args.out))
    if args.output is None:
        return False
    output = Path(os.path.abspath(args.output))
    return path in (output, output.parent) or (path.parent == output.parent and path.name.startswith(f".{output.name}."))


def _report_bug() -> int:
    import traceback

    traceback.print_exc()
    print("internal error: this is a bug in the workbook toolkit, not in your files; please report it with the traceback above", file=sys.stderr)
    return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
