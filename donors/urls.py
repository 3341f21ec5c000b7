from django.urls import path

from donors import views

app_name = "donors"
urlpatterns = [
    path("c/<slug:code>/snowball/", views.snowball_page, name="snowball"),
]
