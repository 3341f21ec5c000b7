from django.urls import path

from yicang.community import views

app_name = "community"
urlpatterns = [
    path("", views.staff_home, name="staff-home"),
    path("c/<slug:code>/", views.staff_community, name="staff-community"),
]
