from django.urls import path

from yicang.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.home, name="home"),
    path("my/household/", views.my_household, name="my-household"),
    path("staff/household/<int:pk>/", views.staff_household, name="staff-household"),
]
