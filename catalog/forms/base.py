"""The character rules on every free-text field, reported with a form's other errors.

The services keep checking (they are the authority, and the API has no forms); checking here as
well means a partner sees an invisible or bidi-override character in one field together with
every other problem of the form, not only after the rest passes.
"""

import re

from django import forms

from catalog.validation.characters import hidden_text_problem

_ASIDE = re.compile(r"\s*\(.*?\)")


class TextRulesForm(forms.Form):
    """A form whose text fields (single-line or, for text areas, with line breaks) refuse
    invisible, bidi-override and control characters. Passwords are left to the password rules."""

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if not isinstance(field, forms.CharField) or not isinstance(value, str) or not value:
                continue
            if isinstance(field.widget, forms.PasswordInput):
                continue
            label = _ASIDE.sub("", str(field.label or name.replace("_", " ")))
            problem = hidden_text_problem(
                value,
                f"The {label[:1].lower()}{label[1:]}",
                lookalikes=False,
                lines=isinstance(field.widget, forms.Textarea),
            )
            if problem:
                self.add_error(name, problem)
