"""A page's form at the API's boundary: a serializer made from the form's fields, then the form.

The serializer's fields (made from the form's, so the schema says what the action accepts) refuse
a wrong type first — a list where text goes, ``1e400`` for an amount — which a Django form would
have turned into text; the form then applies the page's own rules (cross-field checks, the
choices in the user's scope), so the API and the page refuse the same input in the same words.
"""

from django import forms
from django.core import validators as django_validators
from rest_framework import serializers
from rest_framework.exceptions import ValidationError


def _bounds(field):
    """min/max of a form field, from its attributes or its Min/MaxValueValidators (a callable
    limit, e.g. a setting, is read now)."""
    low, high = getattr(field, "min_value", None), getattr(field, "max_value", None)
    for validator in field.validators:
        limit = validator.limit_value() if callable(getattr(validator, "limit_value", None)) else None
        limit = limit if limit is not None else getattr(validator, "limit_value", None)
        if isinstance(validator, django_validators.MinValueValidator) and low is None:
            low = limit
        elif isinstance(validator, django_validators.MaxValueValidator) and high is None:
            high = limit
    return {"min_value": low, "max_value": high}


def _choices(field):
    return [(value, label) for value, label in field.choices if value != ""]


def serializer_field(field: forms.Field) -> serializers.Field:
    """The DRF field that accepts what ``field`` accepts (types and bounds; the form checks the rest)."""
    common = {"label": str(field.label) if field.label else None, "help_text": str(field.help_text) or None}
    optional = not field.required
    if isinstance(field, forms.ModelMultipleChoiceField):
        return serializers.ListField(
            child=serializers.IntegerField(min_value=1), required=field.required, allow_empty=optional, **common
        )
    if isinstance(field, forms.ModelChoiceField):
        return serializers.IntegerField(min_value=1, required=field.required, allow_null=optional, **common)
    if isinstance(field, forms.MultipleChoiceField):
        return serializers.MultipleChoiceField(choices=_choices(field), required=field.required, **common)
    if isinstance(field, forms.ChoiceField):
        choices = _choices(field)
        if not choices:  # filled per request (e.g. a vote per committee member); the form checks it
            return serializers.CharField(required=field.required, allow_blank=optional, max_length=100, **common)
        return serializers.ChoiceField(choices=choices, required=field.required, allow_blank=optional, **common)
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(required=False, **common)
    if isinstance(field, forms.DecimalField):
        return serializers.DecimalField(
            max_digits=field.max_digits,
            decimal_places=field.decimal_places,
            required=field.required,
            allow_null=optional,
            **_bounds(field),
            **common,
        )
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(required=field.required, allow_null=optional, **_bounds(field), **common)
    if isinstance(field, forms.DateField):
        return serializers.DateField(required=field.required, allow_null=optional, **common)
    if isinstance(field, forms.FileField):
        return serializers.FileField(required=field.required, **common)
    if isinstance(field, forms.CharField):
        return serializers.CharField(
            required=field.required,
            allow_blank=optional,
            max_length=field.max_length,
            min_length=field.min_length,
            trim_whitespace=field.strip,
            **common,
        )
    raise TypeError(f"no serializer field for {type(field).__name__}")


def form_errors(form):
    return {name: [str(message) for message in messages] for name, messages in form.errors.items()}


class FormSerializer(serializers.Serializer):
    """Validates a body with ``form_class``: its fields' types and bounds, then the form itself.

    ``validated_data`` is the form's ``cleaned_data`` (model instances for choices of records).
    A form that needs more than its data gets it from ``context["form_kwargs"]`` (e.g. the task).
    """

    form_class: type[forms.BaseForm]

    def _form(self):
        """The form bound to this body; None for the schema, which reads the declared fields."""
        if not hasattr(self, "initial_data"):
            return None
        if not hasattr(self, "_bound_form"):
            self._bound_form = self.form_class(self.initial_data, **self.context.get("form_kwargs", {}))
        return self._bound_form

    def get_fields(self):
        fields = super().get_fields()
        form = self._form()
        form_fields = form.fields if form is not None else self.form_class.base_fields
        for name, field in form_fields.items():
            fields.setdefault(name, serializer_field(field))
        return fields

    def validate(self, attrs):
        form = self._form()
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        return {**attrs, **form.cleaned_data}


_made = {}
SAME_AS_PAGE = "与页面上同一表单相同的字段和规则。"


def form_serializer(form_class, *, name=None):
    """The FormSerializer of ``form_class``, one class per form (a schema component each)."""
    if form_class not in _made:
        app = form_class.__module__.split(".")[0].title()
        name = name or f"{app}{form_class.__name__.removesuffix('Form')}Input"
        _made[form_class] = type(
            f"{name}Serializer",
            (FormSerializer,),
            # the form's docstring describes the body in the schema
            {"form_class": form_class, "__module__": __name__, "__doc__": form_class.__doc__ or SAME_AS_PAGE},
        )
    return _made[form_class]
