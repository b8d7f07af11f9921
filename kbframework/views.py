"""Generic HTML views of curated records: filterable lists and detail pages,
restricted to what the reader may see."""

import re

from django import forms
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.views.generic import DetailView
from django_filters.views import FilterView

from kbframework.choices import Status
from kbframework.citations import CitationIndex
from kbframework.numbers import whole_number
from kbframework.visibility import knows_of_retired


class RestrictedMixin:
    """Reads go through the model's for_list(user) / for_detail(user): the
    public sees published records, editors drafts too."""

    model = None
    detail = False

    def get_queryset(self):
        records = self.model.objects
        if self.detail:
            return records.for_detail(self.request.user)
        return records.for_list(self.request.user)


def retired_record(model, slug, user):
    """(record, merged-into record or None) for a retired slug this user may
    know of (kbframework.visibility.knows_of_retired), else None."""
    if not any(field.name == "status" for field in model._meta.fields):
        return None
    record = model.objects.filter(slug=slug, status=Status.RETIRED).first()
    if record is None or not knows_of_retired(record, user):
        return None
    target = getattr(record, "merged_into", None)
    if (
        target is not None
        and not model.objects.restrict(user).filter(pk=target.pk).exists()
    ):
        target = None
    return record, target


# A filter offering more records than this is typed, not scrolled: a list
# of thousands of options is unusable, and it made every page of the list a
# few hundred kilobytes (rendered again for each page).
LONG_CHOICES = 200


class SlugsInput(forms.TextInput):
    """A record filter typed as slugs, separated by spaces or commas (a
    slug has neither): the same values the list of choices sends, so the
    filter accepts and rejects exactly what it did."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        if isinstance(values, str):
            values = [values]
        return [
            part
            for value in values or []
            for part in re.split(r"[\s,]+", value)
            if part
        ]

    def format_value(self, value):
        if isinstance(value, (list, tuple)):
            return " ".join(str(part) for part in value) or None
        return super().format_value(value)


def offer_choices(field) -> None:
    """How a record filter offers its records: under headings when its model
    sorts them into kinds (`choice_group(record) -> (order, heading)`:
    diseases apart from the conditions and outcomes), or, past LONG_CHOICES
    records, as a box their slugs are typed into. One read either way; only
    the offer changes: every value the filter accepted, it still accepts."""
    queryset = getattr(field, "queryset", None)
    if queryset is None or not isinstance(field, forms.ModelMultipleChoiceField):
        return
    records = list(queryset[: LONG_CHOICES + 1])
    if len(records) > LONG_CHOICES:
        noun = queryset.model._meta.verbose_name
        field.widget = SlugsInput(
            attrs={
                "placeholder": f"e.g. {records[0].slug}",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        )
        field.help_text = (
            f"The identifier of a {noun}, as in the address of its page "
            f"(…/{records[0].slug}/); several, separated by spaces, match "
            "any of them."
        )
        return
    grouping = getattr(queryset.model, "choice_group", None)
    if grouping is None:
        field.widget.choices = [
            (field.prepare_value(record), field.label_from_instance(record))
            for record in records
        ]
        return
    groups: dict = {}
    for record in records:
        groups.setdefault(grouping(record), []).append(
            (field.prepare_value(record), field.label_from_instance(record))
        )
    field.widget.choices = [
        (heading, choices) for (_order, heading), choices in sorted(groups.items())
    ]


class KBFilterView(RestrictedMixin, FilterView):
    """A filterable list; a bad filter value shows the form with its error."""

    paginate_by = 50

    def get(self, request, *args, **kwargs):
        raw = request.GET.get(self.page_kwarg)
        if raw is not None and raw != "last" and (whole_number(raw) or 0) < 1:
            # Django's paginator takes int(): a full-width 1 silently meant page 1.
            context = {
                "parameter": self.page_kwarg,
                "message": "A whole number from 1, in ASCII digits (or “last”).",
            }
            return render(
                request, "kbframework/bad_parameter.html", context, status=400
            )
        response = super().get(request, *args, **kwargs)
        if self.filterset.is_bound and self.filterset.errors:
            response.status_code = 400  # the form, with what is wrong in it
        return response

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        for field in filterset.form.fields.values():
            offer_choices(field)
        return filterset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_errors"] = self.filterset.is_bound and bool(
            self.filterset.errors
        )
        context["active_filters"] = bool(self.filterset.data)
        return context


class KBDetailView(RestrictedMixin, DetailView):
    """A record's page. A retired record's slug is kept: it answers 301 to
    the record it was merged into, or 410 with the reason it was retired."""

    detail = True

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            retired = retired_record(self.model, kwargs.get("slug"), request.user)
            if retired is None:
                raise
            record, target = retired
            if target is not None:
                return HttpResponsePermanentRedirect(target.get_absolute_url())
            context = {"record": record, "model_name": record._meta.verbose_name}
            return render(request, "kbframework/gone.html", context, status=410)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["refs"] = CitationIndex()
        return context
