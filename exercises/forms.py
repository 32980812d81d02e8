"""Admin forms: they read what an instructor typed and turn service errors into field errors.

Validation of programs lives in `services.validate_exercise_source`; these forms only decide
which field an error belongs to and how it reads ("line 3: unknown name 'q'").
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .engine.generator import DIFFICULTIES, MAX_COUNT
from .grading import Settings
from .models import Course, Exercise, Granularity, QuizItem

_MONO = "font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; tab-size: 4;"


def code_area(rows: int, extra_class: str = "") -> forms.Textarea:
    return forms.Textarea(attrs={
        "rows": rows, "cols": 80, "spellcheck": "false", "autocomplete": "off",
        "class": f"vLargeTextField program-source {extra_class}".strip(), "style": _MONO})


class NodeListField(forms.CharField):
    """Node names as "a, b, c" in the form, a list in the model (an edge of a local
    derivative exercise is written "z2/a1")."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(name) for name in value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        names = [name for name in re.split(r"[\s,]+", text) if name]
        bad = [name for name in names
               if not re.fullmatch(r"[A-Za-z_]\w*(/[A-Za-z_]\w*)?", name)]
        if bad:
            raise ValidationError(_("not a node name: %(names)s") % {"names": ", ".join(bad)})
        return list(dict.fromkeys(names))  # keep the order, drop repeats


class ExerciseForm(forms.ModelForm):
    asked_nodes = NodeListField(
        required=False, label=_("Asked nodes"),
        help_text=_("What learners are asked about, separated by commas: node names (edges "
                    "like z2/a1 for local derivatives); empty means the kind's default."))
    parameters = NodeListField(
        required=False, label=_("Parameters"),
        help_text=_("Update exercises: the inputs updated, separated by commas; empty means "
                    "every input."))

    granularity = forms.ChoiceField(
        choices=Granularity.choices, required=False, initial=Granularity.LINE,
        label=_("Granularity"),
        help_text=_("Each program line one node (as the notes draw it), or each binary gate."))

    class Meta:
        model = Exercise
        fields = ["title", "course", "program", "mermaid", "tags", "difficulty", "ask",
                  "granularity", "asked_nodes", "learning_rate", "parameters", "nudge_input",
                  "nudge_h", "tolerance_rel", "tolerance_abs", "tolerance_sig_figs"]
        widgets = {"program": code_area(14, "program-editor"),
                   "mermaid": code_area(8, "mermaid-editor")}
        # The admin's labels, translatable here rather than in the models (no migration).
        labels = {"title": _("Title"), "course": _("Course"), "program": _("Program"),
                  "mermaid": _("Mermaid"), "tags": _("Tags"), "difficulty": _("Difficulty"),
                  "ask": _("Ask"), "tolerance_rel": _("Relative tolerance"),
                  "tolerance_abs": _("Absolute tolerance"),
                  "tolerance_sig_figs": _("Significant figures")}
        help_texts = {
            "course": _("Empty: a shared exercise only staff can see."),
            "program": _("The authoring language (like the notes' listings), or a Mermaid "
                         "flowchart. Leave empty to use the Mermaid source below."),
            "mermaid": _("Optional Mermaid flowchart."),
            "tolerance_sig_figs": _("If set, answers must match to this many significant "
                                    "figures instead."),
        }

    #: the line of the first program error, for the change page to point at
    error_line: int | None = None

    def clean_granularity(self) -> str:
        # Not sent (an older form, a script): an exercise keeps its own, a new one is lines.
        chosen = self.cleaned_data.get("granularity")
        return chosen or (self.instance.granularity if self.instance.pk else Granularity.LINE)

    def clean(self):
        data = super().clean()
        program, mermaid = data.get("program") or "", data.get("mermaid") or ""
        asked = data.get("asked_nodes") or []
        granularity = data.get("granularity") or Granularity.LINE
        if {"asked_nodes", "parameters", "learning_rate", "nudge_h"} & set(self.errors):
            return data
        kind = {"ask": data.get("ask") or "grad", "settings": Settings(
            learning_rate=data.get("learning_rate"),
            parameters=tuple(data["parameters"]) if data.get("parameters") else None,
            nudge_input=data.get("nudge_input") or None, nudge_h=data.get("nudge_h"))}
        if not program.strip() and not mermaid.strip():
            self.add_error("program", _("Write a program, or leave it empty and write a "
                                        "Mermaid flowchart below."))
            return data
        # The graded source is the program when there is one, else the diagram.
        source_field = "program" if program.strip() else "mermaid"
        source = program if source_field == "program" else mermaid
        try:
            if source_field == "program":
                services.validate_exercise_source(program, "", asked, **kind,
                                                  granularity=granularity)
            else:
                services.validate_exercise_source("", mermaid, asked, **kind,
                                                  granularity=granularity)
        except services.InvalidProgram as exc:
            self._program_error(source_field, source, exc)
        except services.ServiceError as exc:
            field = exc.details.get("field")
            self.add_error(_SETTING_FIELDS.get(field, "asked_nodes"), exc.message)
        if source_field == "program" and mermaid.strip():
            try:  # a diagram next to a program must be readable too
                services.validate_exercise_source("", mermaid, granularity=granularity)
            except services.InvalidProgram as exc:
                self._program_error("mermaid", mermaid, exc)
        return data

    def _program_error(self, field: str, source: str, exc: services.InvalidProgram):
        line = exc.details.get("line")
        messages = [exc.message]
        lines = source.splitlines()
        if line and 1 <= line <= len(lines):
            messages.append(f"{line} │ {lines[line - 1]}")
            if self.error_line is None:
                self.error_line = line
        self.add_error(field, messages)


# A kind's setting error (grading.SettingError.field) → the form field it belongs to.
_SETTING_FIELDS = {"learning_rate": "learning_rate", "parameters": "parameters",
                   "nudge": "nudge_input"}


class QuizItemForm(forms.ModelForm):
    class Meta:
        model = QuizItem
        fields = ["position", "exercise", "pool_tag", "pool_difficulty", "points"]

    def clean(self):
        # Errors go on a field, so the model's own check of the same rule is skipped
        # and the instructor reads one clear message.
        data = super().clean()
        exercise, tag = data.get("exercise"), data.get("pool_tag")
        if exercise and tag:
            self.add_error("pool_tag", _("Choose a fixed exercise or a pool tag, not both."))
        elif not exercise and not tag and "exercise" not in self.errors:
            self.add_error("exercise", _("Choose a fixed exercise, or a pool tag to draw one "
                                         "from."))
        if exercise and data.get("pool_difficulty"):
            self.add_error("pool_difficulty",
                           _("A pool difficulty only applies to a pool tag."))
        return data


class GenerateForm(forms.Form):
    difficulty = forms.TypedChoiceField(
        choices=[(d, f"{d}") for d in DIFFICULTIES], coerce=int, initial=1,
        label=_("Difficulty"),
        help_text=_("1: + and × only … 5: 12–20 operations with max/min/relu."))
    count = forms.IntegerField(min_value=1, max_value=min(MAX_COUNT, 50), initial=5,
                               label=_("Count"))
    seed = forms.IntegerField(min_value=0, max_value=2**31 - 1, initial=0, label=_("Seed"),
                              help_text=_("The same seed gives the same programs."))
    tag = forms.SlugField(required=False, max_length=50, label=_("Tag"),
                          help_text=_("Empty: tagged difficulty-N."))
    course = forms.ModelChoiceField(queryset=Course.objects.none(), required=False,
                                    label=_("Course"), help_text=_("Empty: a shared exercise."))

    def __init__(self, *args, courses=None, **kwargs):
        super().__init__(*args, **kwargs)
        if courses is not None:
            self.fields["course"].queryset = courses


class RegradeForm(forms.Form):
    reason = forms.CharField(max_length=200, required=False, label=_("Reason"),
                             widget=forms.TextInput(attrs={"size": 60}),
                             help_text=_("Recorded with every regrade, e.g. "
                                         "“tolerance widened to 2%”."))
