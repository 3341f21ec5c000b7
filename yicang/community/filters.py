"""Scoped filtering for the API; its own module because DRF imports the filter backend at start-up."""

from typing import Any

from django_filters import rest_framework as filters

from yicang.community.scoping import is_scoped, scope


class ScopedFilterSet(filters.FilterSet):
    """A FilterSet whose model-choice filters accept only rows the user may see.

    Otherwise `?household=<id of another community's household>` would be a valid choice, and the
    difference between "no results" and "not a valid choice" would tell which ids exist.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        for declared in self.filters.values():
            if isinstance(declared, filters.ModelChoiceFilter | filters.ModelMultipleChoiceFilter):
                model = declared.queryset.model if declared.queryset is not None else None
                if model is not None and is_scoped(model):
                    declared.queryset = scope(declared.queryset, user) if user else declared.queryset.none()


class ScopedFilterBackend(filters.DjangoFilterBackend):
    """The API's filter backend: the FilterSets it builds from `filterset_fields` are scoped."""

    filterset_base = ScopedFilterSet
