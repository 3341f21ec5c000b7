from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yicang.reports.selectors import headline_figures


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/home.html", {"figures": headline_figures()})
