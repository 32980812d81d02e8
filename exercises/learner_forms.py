"""The learner's answer form: one text field per asked node, named `answer-<node>`.

It only reads text; the grader decides what the text means (numbers, 1/4, 15+7*3) and
whether it can be read at all.
"""

from __future__ import annotations

from django import forms

from .grading import MAX_CHARS

PREFIX = "answer-"


def field_name(node: str) -> str:
    return PREFIX + node


class AnswersForm(forms.Form):
    def __init__(self, asked: list[str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.asked = list(asked)
        for node in self.asked:
            self.fields[field_name(node)] = forms.CharField(
                required=False, max_length=MAX_CHARS, strip=True)

    def answers(self) -> dict[str, str]:
        """The non-empty answers, by node name (an empty box is simply not answered)."""
        return {node: self.cleaned_data[field_name(node)] for node in self.asked
                if self.cleaned_data.get(field_name(node))}

    def node_errors(self) -> dict[str, str]:
        return {name[len(PREFIX):]: " ".join(errors)
                for name, errors in self.errors.items() if name.startswith(PREFIX)}
