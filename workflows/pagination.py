"""One page size rule for every API list: ``?page=`` and ``?page_size=`` up to a maximum."""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

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
