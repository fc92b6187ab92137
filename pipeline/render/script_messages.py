"""The words workbook.js and scorm-runtime.js show, in the page's language.

The scripts have no strings of their own and no translation machinery: the
page hands them these messages in its JSON data block (`messages`), already
translated by the workbook's catalog. A message with numbers in it is a
template with `%(name)s` places, filled in by the script; one whose words
change with a count is an object of forms keyed by CLDR plural category, for
the script to choose with `Intl.PluralRules(messages.lang).select(n)`, so
Welsh gets all six of its forms from the catalog.
"""
from __future__ import annotations

from ..i18n import Language


def script_messages(language: Language) -> dict[str, object]:
    """The messages of both scripts, translated; keys are the scripts' names for them."""
    _ = language.gettext
    return {
        "lang": language.catalog,
        # workbook.js: the answers download
        "myAnswers": _("My answers"),
        "question": _("Question:"),
        "myAnswer": _("My answer:"),
        "notAnswered": _("(not answered)"),
        "trueOrFalse": _("True or false"),
        "true": _("True"),
        "false": _("False"),
        "earlierAnswers": _("Answers from an earlier version of this workbook"),
        "choices": _("Choices"),
        "checklistTitle": _("%(challenge)s: checklist"),
        "rating": _("rating"),
        "ratingLevel": _("%(label)s (%(level)s of %(count)s)"),
        "notRated": _("(not rated)"),
        "myRating": _("My rating:"),
        # workbook.js: the quiz
        "correct": _("Correct."),
        "incorrect": _("Not quite."),
        "unanswered": _("Not answered."),
        "score": _("You got %(score)s of %(total)s right."),
        # scorm-runtime.js
        "opensInNewTab": _("(opens in a new tab)"),
        "notRecorded": _("Your progress is not being recorded by your learning system. Your answers are kept in this browser only; "
                         "download them before you leave."),
        "omitted": language.plural_forms(
            "Your answers are longer than the learning system can store: %(num)s answer is saved only in this web browser. "
            "Download your answers to keep a copy.",
            "Your answers are longer than the learning system can store: %(num)s answers are saved only in this web browser. "
            "Download your answers to keep a copy."),
        "unrestored": language.plural_forms(
            "%(num)s answer you wrote before could not be stored by the learning system and is not in this web browser: use the "
            "copy you downloaded, or come back on the browser you wrote it in.",
            "%(num)s answers you wrote before could not be stored by the learning system and are not in this web browser: use the "
            "copy you downloaded, or come back on the browser you wrote them in."),
        "earlier": language.plural_forms(
            "This workbook has changed since your last visit, so %(num)s answer you wrote then could not be put back in its box. "
            "It is in the download.",
            "This workbook has changed since your last visit, so %(num)s answers you wrote then could not be put back in their "
            "boxes. They are in the download."),
    }
