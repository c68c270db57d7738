"""Inputs that fit a phone's keyboard: a date picker, and a decimal keypad for amounts in 元."""

from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker; its value is ISO (2026-12-04) whatever the page's locale."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class AmountInput(forms.NumberInput):
    """An amount in 元: the decimal keypad on a phone."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"inputmode": "decimal", **(attrs or {})})
