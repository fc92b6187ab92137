"""The assembler's challenges: questions, answer spaces, choices, checklists, rating scales, quizzes and their answers."""
from __future__ import annotations

import re

from .. import model
from ..problems import warning
from . import pandoc_ast as ast
from .pieces import Piece, _Challenge


class ChallengeHandlers:
    """What goes in a challenge; `Assembler` takes these handlers from here."""

    # --- challenges ---------------------------------------------------------------

    def _challenge(self, piece: Piece) -> _Challenge | None:
        if isinstance(self.box, _Challenge):
            return self.box
        self.warn(piece, "a question outside any challenge is kept as a paragraph", "import.stray-question")
        return None

    def question(self, piece: Piece) -> None:
        challenge = self._challenge(piece)
        if challenge is None:
            self.paragraph(piece)
            return
        challenge.items.append(model.Question(self.inlines(piece.inlines), loc=self.where(piece)))
        challenge.question_open = True
        challenge.spaced = False
        if piece.data.get("prompt_id") is None:
            anchor = next((ast.bookmark_id(a) for a in ast.anchors(piece.inlines)), None)
            piece.data["prompt_id"] = anchor
        self.prompt_anchor = piece.data["prompt_id"]  # a choice's id is bookmarked on its prompt
        for sublist in piece.data.get("sublists", ()):
            self.list_block(Piece("list", sublist, line=piece.line))

    def answer_space(self, piece: Piece) -> None:
        height = None
        if self.answer_space_number < len(self.answer_heights):
            height = self.answer_heights[self.answer_space_number]
        self.answer_space_number += 1
        drawing = bool(piece.data.get("drawing"))
        drawing_lines = None
        if drawing:
            if self.drawing_lines is not None and self.drawing_number < len(self.drawing_lines):
                drawing_lines = self.drawing_lines[self.drawing_number]
            self.drawing_number += 1
        box = self.box
        if not isinstance(box, _Challenge):
            return
        box.question_open = False
        box.spaced = True
        box.open_quiz = False  # a question with its own space: a later choice starts a quiz of its own
        if not box.items or not isinstance(box.items[-1], model.Question):
            return
        question = box.items[-1]
        lines = drawing_lines if drawing else _lines_from_height(height, drawing)
        if drawing or lines is not None:
            box.items[-1] = model.Question(question.content, question.sublists, id=question.id,
                                           space="drawing" if drawing else "text", lines=lines, loc=question.loc)

    def _prompt_before(self, challenge: _Challenge | None, default: str | None = None) -> tuple[model.Inlines | None, str | None]:
        """The question just before a table of ticks is its prompt (it has no answer space): take it back."""
        if challenge is None or not challenge.items or challenge.spaced or not isinstance(challenge.items[-1], model.Question):
            return None, None
        question = challenge.items.pop()
        challenge.spaced = True  # the item before it, if a question, had its own space
        anchor = getattr(self, "prompt_anchor", None)
        if default is not None and model.plain_text(question.content) == default:
            return None, anchor
        return question.content, anchor

    def _tick_rows(self, rows: list, fallback: str) -> list[tuple[str, model.Inlines]]:
        out = []
        for raw, anchor in rows:
            content = self.inlines(raw)
            out.append((self.ids.claim(anchor) or self.ids.fresh(model.plain_text(content), fallback), content))
        return out

    def choice(self, piece: Piece) -> None:
        """A choice (issue 13): its numbered prompt "2. Which …? (choose one)" before it, its options in the table."""
        challenge = self.box if isinstance(self.box, _Challenge) else None
        prompt, anchor = self._prompt_before(challenge)
        prompt = prompt or (model.Text("Choose"),)
        prompt, select = _choice_prompt(prompt)
        options = self._tick_rows(piece.data["options"], "option")
        correct = None
        if self.correct_options is not None and self.choice_number < len(self.correct_options):
            correct = self.correct_options[self.choice_number]
        self.choice_number += 1
        choice_id = self.ids.claim(anchor) or self.ids.fresh(model.plain_text(prompt), "choice")
        if not correct:
            correct = [1]
            # Reported at the end, unless the choice's answer names its correct options (quiz_answers).
            self.choice_places[choice_id] = self.place()
            self.unsure_choices[choice_id] = warning(
                self.where(piece), f"{self.place()}: the document does not say which option of “{model.plain_text(prompt)}” "
                "is correct, so the first is marked correct; check it", "import.guessed")
        choice = model.Choice(choice_id, prompt, tuple(
            model.Option(option_id, content, correct=number in correct)
            for number, (option_id, content) in enumerate(options, start=1)), select=select, loc=self.where(piece))
        if challenge is not None and challenge.open_quiz and isinstance(challenge.items[-1], model.Quiz):
            quiz = challenge.items[-1]
            updated = model.Quiz(quiz.id, quiz.statements, prompt=quiz.prompt, choices=(*quiz.choices, choice), loc=quiz.loc)
            challenge.items[-1] = updated
            self.quizzes[self.quizzes.index(quiz)] = updated
            return
        quiz_prompt, _ = self._prompt_before(challenge)
        base = f"{model.plain_text(challenge.title)} quiz" if challenge and challenge.title else "quiz"
        quiz = model.Quiz(self.ids.fresh(base, "quiz"), (), prompt=quiz_prompt, choices=(choice,), loc=self.where(piece))
        self._place_quiz(quiz, challenge, piece)

    def _place_quiz(self, quiz: model.Quiz, challenge, piece: Piece) -> None:
        """Put a new quiz in its challenge (closing the open question), or where it stands."""
        if challenge is not None:
            challenge.items.append(quiz)
            challenge.question_open = False
            challenge.open_quiz = True
            challenge.spaced = True
        else:
            self.add(quiz, piece)
        self.quizzes.append(quiz)

    def checklist(self, piece: Piece) -> None:
        challenge = self._challenge(piece)
        if challenge is None:
            return
        prompt, anchor = self._prompt_before(challenge, default="Tick each one you have done")
        checks = self._tick_rows(piece.data["checks"], "check")
        checklist_id = self.ids.claim(anchor) or self.ids.fresh(model.plain_text(prompt) or "checklist", "checklist")
        challenge.items.append(model.Checklist(checklist_id, tuple(model.Check(i, c) for i, c in checks), prompt=prompt,
                                               loc=self.where(piece)))
        challenge.spaced, challenge.open_quiz, challenge.question_open = True, False, False

    def rating_scale(self, piece: Piece) -> None:
        challenge = self._challenge(piece)
        if challenge is None:
            return
        prompt, anchor = self._prompt_before(challenge, default="Rate each statement")
        statements = self._tick_rows(piece.data["statements"], "statement")
        scale_id = self.ids.claim(anchor) or self.ids.fresh(model.plain_text(prompt) or "scale", "scale")
        challenge.items.append(model.RatingScale(
            scale_id, tuple(model.Level(label) for label in piece.data["levels"]),
            tuple(model.RatedStatement(i, c) for i, c in statements), prompt=prompt, loc=self.where(piece)))
        challenge.spaced, challenge.open_quiz, challenge.question_open = True, False, False

    def quiz(self, piece: Piece) -> None:
        challenge = self.box if isinstance(self.box, _Challenge) else None
        prompt = self.inlines(piece.data["prompt"]) if piece.data.get("prompt") is not None else None
        if prompt is None and challenge is not None and self.last_role == "question" and challenge.items:
            last = challenge.items[-1]
            if isinstance(last, model.Question) and not last.sublists:
                challenge.items.pop()
                prompt = last.content
        base = f"{model.plain_text(challenge.title)} quiz" if challenge and challenge.title else "quiz"
        quiz_id = self.ids.fresh(base, "quiz")
        statements = []
        for raw, anchor in piece.data["statements"]:
            content = self.inlines(raw)
            statement_id = self.ids.claim(anchor) or self.ids.fresh(model.plain_text(content), "statement")
            statements.append(model.Statement(statement_id, content, loc=self.where(piece)))
        quiz = model.Quiz(quiz_id, tuple(statements), prompt=prompt or None, loc=self.where(piece))
        self._place_quiz(quiz, challenge, piece)

    def quiz_answers(self, piece: Piece) -> None:
        quizzes = self.quizzes
        if not quizzes:
            self.warn(piece, "answers marked TRUE/FALSE but no quiz before them; kept as paragraphs", "import.stray-answers")
            for answer in piece.data["answers"]:
                self.add(model.Paragraph(self.inlines(answer["explanation"])), piece)
            return
        linked = {answer.get("statement_id") for answer in piece.data["answers"]} - {None}
        # The quiz the answers are for: the one holding a statement or choice they link to, else the last.
        quiz = next((q for q in reversed(quizzes) if linked & ({s.id for s in q.statements} | {c.id for c in q.choices})),
                    quizzes[-1])
        by_text = {_key(model.plain_text(s.content)): s.id for s in quiz.statements}
        choice_ids = {c.id for c in quiz.choices}
        answers = []
        for number, answer in enumerate(piece.data["answers"]):
            statement = answer.get("statement_id")
            if statement in choice_ids:
                if statement in self.unsure_choices and answer.get("named"):
                    self.named_correct[statement] = answer["named"]
                answers.append(model.ChoiceAnswer(statement, self.inlines(answer.get("after_dash", answer["explanation"])),
                                                  loc=self.where(piece)))
                continue
            if statement is None and answer.get("statement") is not None:
                statement = by_text.get(_key(ast.text(answer["statement"])))
            if statement is None and number < len(quiz.statements):
                statement = quiz.statements[number].id
                self.warn(piece, f"answer {number + 1} is joined to statement {number + 1} of the quiz by its place, "
                          "not its text", "import.guessed")
            if statement is None:
                self.warn(piece, f"answer {number + 1} matches no statement of the quiz; left out", "import.dropped")
                continue
            answers.append(model.Answer(statement, answer["value"], self.inlines(answer["explanation"]),
                                        qualifier=answer.get("qualifier") or None, loc=self.where(piece)))
        self.add(model.QuizAnswers(quiz.id, tuple(answers), loc=self.where(piece)), piece)


TWIPS_PER_LINE, ANSWER_HEIGHT, DRAWING_HEIGHT = 400, 1701, 6804  # render/docx/answers.py's sizes


def _lines_from_height(height: int | None, drawing: bool) -> int | None:
    """An answer space's `lines` from its row height: lines × 400 twips, or the usual height (None)."""
    if height is None or height == (DRAWING_HEIGHT if drawing else ANSWER_HEIGHT):
        return None
    if not drawing and height == ANSWER_HEIGHT // 3:
        return 1
    return height // TWIPS_PER_LINE if height % TWIPS_PER_LINE == 0 else None


CHOICE_HINTS = {" (choose one)": "one", " (choose all that apply)": "many"}


def _choice_prompt(prompt: model.Inlines) -> tuple[model.Inlines, str]:
    """A choice's prompt as written in Word, "2. Which …? (choose one)", less its number and hint; and its select."""
    items = list(prompt)
    select = "one"
    if items and isinstance(items[0], model.Text):
        items[0] = model.Text(re.sub(r"^\d+\.\s*", "", items[0].text))
    if items and isinstance(items[-1], model.Text):
        for hint, value in CHOICE_HINTS.items():
            if items[-1].text.endswith(hint):
                items[-1] = model.Text(items[-1].text[: -len(hint)])
                select = value
                break
    return tuple(item for item in items if not (isinstance(item, model.Text) and not item.text)), select


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()
