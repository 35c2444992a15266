"""Input checks for the rotation survey: the student's answers and the directors' questions.

Both forms are built for the questions at hand: one field per question to answer, and a
fixed number of rows (kind and wording) in the editor.
"""

from __future__ import annotations

from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from clerkship.core.forms import Form, VersionField, strip
from clerkship.surveys.models import SCALE, QuestionKind
from clerkship.surveys.queries import QuestionSpec
from clerkship.surveys.services import MAX_PROMPT, MAX_QUESTIONS, MAX_TEXT


class _AnswerForm(Form):
    """The answers; the hidden field is the version of the questions shown."""

    shown = VersionField()

    def answer_fields(self):
        """(position, field) of each question, in order."""
        return [(i, self[f"q{i}"]) for i in range(self.question_count)]

    def ratings(self) -> dict[int, int | None]:
        return {
            i: f.data
            for i, f in self.answer_fields()
            if f.type == "RadioField" and isinstance(f.data, int)
        }

    def texts(self) -> dict[int, str]:
        return {i: f.data or "" for i, f in self.answer_fields() if f.type == "TextAreaField"}


def answer_form(questions: list[QuestionSpec], **kwargs) -> _AnswerForm:
    """A form with one optional field per question: a 1-5 rating or a text."""

    class AnswerForm(_AnswerForm):
        question_count = len(questions)

    for i, question in enumerate(questions):
        if question.kind is QuestionKind.RATING:
            field = RadioField(
                question.prompt,
                choices=[(level, f"{level}: {label}") for level, label in SCALE.items()],
                coerce=int,
                validators=[Optional()],
            )
        else:
            field = TextAreaField(
                question.prompt,
                filters=[strip],
                validators=[Optional(), Length(max=MAX_TEXT)],
                description="Shown to the department without your name, among the others.",
            )
        setattr(AnswerForm, f"q{i}", field)
    return AnswerForm(**kwargs)


class _QuestionsForm(Form):
    """The editor: MAX_QUESTIONS rows of a kind and a wording; empty rows are left out."""

    based_on = VersionField()

    def rows(self):
        """(number shown, kind field, prompt field) of each row."""
        return [(i + 1, self[f"kind_{i}"], self[f"prompt_{i}"]) for i in range(MAX_QUESTIONS)]

    def questions(self) -> list[QuestionSpec]:
        return [
            QuestionSpec(QuestionKind(kind.data), prompt.data or "")
            for _n, kind, prompt in self.rows()
            if (prompt.data or "").strip()
        ]


def questions_form(current: list[QuestionSpec], **kwargs) -> _QuestionsForm:
    """The editor, filled with the current questions unless a post says otherwise."""

    class QuestionsForm(_QuestionsForm):
        pass

    kinds = [(k.value, k.label) for k in QuestionKind]
    for i in range(MAX_QUESTIONS):
        filled = current[i] if i < len(current) else None
        setattr(
            QuestionsForm,
            f"kind_{i}",
            SelectField(
                f"Question {i + 1}: kind",
                choices=kinds,
                default=(filled.kind if filled else QuestionKind.RATING).value,
            ),
        )
        setattr(
            QuestionsForm,
            f"prompt_{i}",
            StringField(
                f"Question {i + 1}: wording",
                filters=[strip],
                default=filled.prompt if filled else "",
                validators=[Optional(), Length(max=MAX_PROMPT)],
            ),
        )
    return QuestionsForm(**kwargs)
