"""One page size rule for every API list: ``?page=`` and ``?page_size=`` up to a maximum."""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from . import keyset

CURSOR_INVALID = _("分页游标无效，请从第一页重新开始。")
PAGE_SIZE_INVALID = _("每页条数（page_size）应为1至%(max)s之间的整数。")


class Pagination(PageNumberPagination):
    """``page_size`` defaults to ``PAGE_SIZE`` (20) and may not exceed ``max_page_size``, so no
    client can ask for a whole table in one response.  A size out of bounds is refused (400), not
    quietly changed, so that what the client gets is what the schema documents."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [PAGE_SIZE_INVALID % {"max": self.max_page_size}]})
        return size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
                parameter["description"] = f"每页条数，默认{self.page_size}，最多{self.max_page_size}"
        return parameters


def document_paging_refusals(result, generator, request, public):
    """drf-spectacular hook: every paged list may answer 400 (a page size out of bounds) and 404
    (a page past the end)."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            names = {p.get("name") for p in operation.get("parameters", []) if isinstance(p, dict)}
            if Pagination.page_size_query_param in names:
                responses = operation.setdefault("responses", {})
                responses.setdefault("400", {"description": "每页条数超出范围"})
                responses.setdefault("404", {"description": "页码超出范围"})
    return result


class QueuePagination(Pagination):
    """The task queue's pages: ``?after=`` / ``?before=`` a cursor from ``next`` / ``previous``,
    as the queue pages do (``workflows/keyset.py``): any depth costs the same.  ``count`` stops at
    ``COUNT_CAP`` (1000); ``count_capped`` says the queue holds at least that many."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        try:
            self.page = keyset.keyset_page(
                queryset,
                size=self.get_page_size(request),
                after=request.query_params.get("after"),
                before=request.query_params.get("before"),
                descending=getattr(view, "descending", False),
            )
        except keyset.BadCursor:
            raise ValidationError({"after": [CURSOR_INVALID]}) from None
        return self.page.object_list

    def _link(self, name, cursor):
        url = self.request.build_absolute_uri()
        url = remove_query_param(remove_query_param(url, "after"), "before")
        return replace_query_param(url, name, cursor)

    def get_paginated_response(self, data):
        page = self.page
        return Response(
            {
                "count": page.count,
                "count_capped": page.count_capped,
                "next": self._link("after", page.next_cursor) if page.has_next else None,
                "previous": self._link("before", page.previous_cursor) if page.has_previous else None,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "count_capped", "results"],
            "properties": {
                "count": {"type": "integer", "maximum": keyset.COUNT_CAP, "description": "条数，最多计到1000"},
                "count_capped": {"type": "boolean", "description": "为真时实际条数不少于1000"},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        parameters = [p for p in super().get_schema_operation_parameters(view) if p["name"] != self.page_query_param]
        for name, description in (("after", "下一页游标（取自 next）"), ("before", "上一页游标（取自 previous）")):
            parameters.append(
                {
                    "name": name,
                    "required": False,
                    "in": "query",
                    "description": description,
                    "schema": {"type": "string", "pattern": r"^[0-9]+\.[0-9]+$"},
                }
            )
        return parameters
