from django.urls import URLPattern, URLResolver, path

from volunteers import views

app_name = "volunteers"
urlpatterns: list[URLPattern | URLResolver] = [
    path("staff/c/<slug:code>/network/", views.network_page, name="network"),
    path("staff/c/<slug:code>/hours/", views.hours_page, name="hours"),
    path("staff/volunteers/<int:pk>/", views.volunteer_page, name="volunteer"),
    path("volunteers/", views.register_page, name="register"),
]
