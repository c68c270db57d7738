"""The bounds an amount or a date must keep, one definition used by models, forms and serializers."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The largest value a money column (max_digits=12, decimal_places=2) holds.  PostgreSQL's
# numeric(12,2) refuses more; SQLite stores anything, so each money column also has a
# CheckConstraint ``<= MONEY_MAX``, which an infinite or NaN value fails as well.
MONEY_MAX = Decimal("9999999999.99")
# A deadline (履行期限, 答复期限) lies ahead, but not further than this.
DEADLINE_MAX_DAYS = 5 * 366

FUTURE_DATE = _("日期不能晚于今天。")
PAST_DEADLINE = _("期限不能早于今天。")
FAR_DEADLINE = _("期限不能晚于%(date)s（五年内）。")
TOO_MUCH = _("单笔金额不能超过%(limit_value)s元。")
CASE_TOO_MUCH = _("金额过大，不能超过%(limit_value)s元，请核实（单位：元）。")
NOT_POSITIVE = _("金额应大于0元。")
NEGATIVE = _("金额不能为负数。")


def aid_max_payment():
    return Decimal(settings.UNIONFLOW["AID_MAX_PAYMENT"])


def case_max_amount():
    return Decimal(settings.UNIONFLOW["CASE_MAX_AMOUNT"])


# One household's payment: more than a cent, at most AID_MAX_PAYMENT (read when validating).
PAYMENT_CEILING = MaxValueValidator(aid_max_payment, TOO_MUCH)
PAYMENT = [MinValueValidator(Decimal("0.01"), message=NOT_POSITIVE), PAYMENT_CEILING]
NOT_NEGATIVE = [MinValueValidator(Decimal("0"), message=NEGATIVE)]
# An amount of a labour dispute (标的额, 协议金额): 0 to CASE_MAX_AMOUNT.
CASE_AMOUNT = [*NOT_NEGATIVE, MaxValueValidator(case_max_amount, CASE_TOO_MUCH)]


def money_in_range(field):
    """The CheckConstraint condition that keeps ``field`` a finite amount a money column holds."""
    return Q(**{f"{field}__lte": MONEY_MAX})


def not_in_future(day):
    if day and day > timezone.localdate():
        raise ValidationError(FUTURE_DATE, code="future")


def deadline(day):
    """A deadline is today or later, and within five years (not 2099)."""
    if not day:
        return
    today = timezone.localdate()
    if day < today:
        raise ValidationError(PAST_DEADLINE, code="past")
    latest = today + datetime.timedelta(days=DEADLINE_MAX_DAYS)
    if day > latest:
        raise ValidationError(FAR_DEADLINE, code="too_far", params={"date": latest})
