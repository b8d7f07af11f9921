"""Pagination: page / page_size, strictly validated."""

from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination

from kbframework.numbers import whole_number

MAX_PAGE_SIZE = 500


class StrictPagination(PageNumberPagination):
    """page / page_size, validated: a malformed value is a 400, never ignored."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = whole_number(raw)
        if size is None or not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError(
                {"page_size": [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return size

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and (whole_number(raw) or 0) < 1:
            raise exceptions.ValidationError(
                {"page": ["A whole number from 1 (use 'next' to follow pages)."]}
            )
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response["X-Total-Count"] = str(self.page.paginator.count)
        links = [
            f'<{url}>; rel="{rel}"'
            for rel, url in (
                ("next", self.get_next_link()),
                ("prev", self.get_previous_link()),
            )
            if url
        ]
        if links:
            response["Link"] = ", ".join(links)
        return response
