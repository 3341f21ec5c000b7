from django.urls import path

from yicang.reports import views, views_statistics

app_name = "reports"
urlpatterns = [
    path("", views.home, name="home"),
    path("my/household/", views.my_household, name="my-household"),
    path("staff/household/<int:pk>/", views.staff_household, name="staff-household"),
    path("statistics/", views_statistics.statistics, name="statistics"),
    path("staff/reports/", views_statistics.staff_reports, name="staff-reports"),
    path("staff/reports/<int:pk>/<str:fmt>/", views_statistics.report_file, name="report-file"),
]
