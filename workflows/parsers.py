"""What the API accepts as a request body, checked once at the boundary for every endpoint."""

import json
import math

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32

NOT_AN_OBJECT = _("请求体须为 JSON 对象（{…}）。")
NOT_JSON = _("请求体不是有效的 JSON（第%(line)s行第%(column)s列）：请检查括号、引号和逗号。")
NOT_UTF8 = _("请求体须为 UTF-8 编码的 JSON。")
TOO_DEEP = _("请求体嵌套过深（最多%(depth)s层）。")
BAD_TEXT = _("请求体含有无法识别的字符。")
NOT_FINITE = _("数值须为有限的数。")


class ObjectJSONParser(JSONParser):
    """A JSON body is an object of bounded depth, with finite numbers and text that can be stored.

    Every action reads its fields from a mapping; a list, a string, a number or ``null`` made them
    fail with a 500, a 5,000-deep array overflowed the stack, ``1e400`` became an infinite float and
    a lone surrogate broke the database encoder.  Refused here, they never reach a view.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP % {"depth": MAX_DEPTH}) from None
        except ParseError as exc:  # DRF words it in English, with the decoder's own text
            cause = exc.__context__
            if isinstance(cause, json.JSONDecodeError):
                raise ParseError(NOT_JSON % {"line": cause.lineno, "column": cause.colno}) from None
            if isinstance(cause, UnicodeDecodeError):
                raise ParseError(NOT_UTF8) from None
            raise ParseError(NOT_FINITE) from None  # NaN, Infinity: refused by DRF's strict decoding
        if not isinstance(data, dict):
            raise ParseError(NOT_AN_OBJECT)
        _check(data, 1)
        return data


def _check(value, depth):
    if depth > MAX_DEPTH:
        raise ParseError(TOO_DEEP % {"depth": MAX_DEPTH})
    if isinstance(value, dict):
        for key, item in value.items():
            _check(key, depth)
            _check(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth + 1)
    elif isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ParseError(BAD_TEXT) from None
    elif isinstance(value, float) and not math.isfinite(value):
        raise ParseError(NOT_FINITE)
