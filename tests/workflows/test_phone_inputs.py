"""On a phone, an amount opens the decimal keypad and a date the date picker — on every form."""

import inspect

import pytest
from django import forms

import aid.forms
import cases.forms
import proposals.forms
import workflows.forms

MODULES = (cases.forms, aid.forms, proposals.forms, workflows.forms)


def project_forms():
    for module in MODULES:
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield f"{module.__name__}.{name}", cls


@pytest.mark.parametrize(("name", "form"), list(project_forms()), ids=lambda v: v if isinstance(v, str) else "")
def test_amounts_and_dates_use_the_phones_inputs(name, form):
    for field_name, field in form.base_fields.items():
        if isinstance(field, forms.DecimalField):
            assert field.widget.attrs.get("inputmode") == "decimal", f"{name}.{field_name}"
        if isinstance(field, forms.DateField):
            assert field.widget.input_type == "date", f"{name}.{field_name}"
            assert field.widget.format == "%Y-%m-%d", f"{name}.{field_name}: a date input reads ISO only"


def test_there_are_amounts_and_dates_to_check():
    fields = [f for _n, form in project_forms() for f in form.base_fields.values()]
    assert sum(isinstance(f, forms.DecimalField) for f in fields) >= 6
    assert sum(isinstance(f, forms.DateField) for f in fields) >= 8
