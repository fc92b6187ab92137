"""A workbook's build settings: source/<id>/publish.json, checked against schema/publish.schema.json.

The file is optional and sits beside workbook.xml, so it is part of the
source folder every output's fingerprint already hashes: editing it rebuilds.
A setting left out takes the default of `PublishConfig` (the schema repeats
those defaults for editors; a test keeps the two in step).

    config, problems = load_publish_config(Path("source/x/workbook.xml"))
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import resources
from .problems import Problem, error

SCHEMA_PATH = resources.schema("publish.schema.json")
PUBLISH_FILE = "publish.json"

SCOS_SINGLE = "single"
SCOS_PER_SECTION = "per-section"


@dataclass(frozen=True)
class ScormSettings:
    # The quiz score (a fraction of the statements right) at which a learner passes:
    # cmi.success_status in 2004, imsss:minNormalizedMeasure and adlcp:masteryscore.
    passing_score: float = 0.8
    # "single": one SCO for the whole workbook; "per-section": one per top-level section.
    scos: str = SCOS_SINGLE


@dataclass(frozen=True)
class PublishConfig:
    scorm: ScormSettings = field(default_factory=ScormSettings)
    file: Path | None = None  # the publish.json these came from; None when the defaults apply


DEFAULT_PUBLISH = PublishConfig()


def publish_file(source: Path) -> Path:
    """Where a workbook's publish.json is, whether or not it exists."""
    return Path(source).parent / PUBLISH_FILE


def load_publish_config(source: Path) -> tuple[PublishConfig | None, list[Problem]]:
    """The build settings of the workbook at `source`: (config, []) or (None, errors); the defaults when there is no file."""
    from .jsonfile import read_json_file
    from .model import SourceLocation

    import os

    path = publish_file(source)
    if not os.path.lexists(path):  # lexists: a broken or looping link is reported, not taken for "no settings"
        return DEFAULT_PUBLISH, []
    if path.is_dir():
        return None, [error(SourceLocation(str(path)), "publish.json is not a file; make it a JSON file of build settings (see schema/publish.schema.json)", "publish.not-a-file")]
    settings, problems = read_json_file(path, SCHEMA_PATH, "publish", _describe_violation)
    if settings is None or problems:
        return None, problems
    scorm = settings.data.get("scorm", {})
    defaults = ScormSettings()
    return PublishConfig(
        scorm=ScormSettings(
            passing_score=float(scorm.get("passingScore", defaults.passing_score)),
            scos=scorm.get("scos", defaults.scos),
        ),
        file=path,
    ), []


def _describe_violation(violation) -> str | None:
    """A passing score out of range is most likely a percentage: say what to write instead."""
    if list(violation.absolute_path) == ["scorm", "passingScore"] and violation.validator in ("minimum", "maximum"):
        return (f"{violation.instance!r} is not between 0 and 1; the passing score is the fraction of quiz "
                f"statements a learner must get right, such as 0.8 for 80%")
    return None
