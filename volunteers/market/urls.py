from django.urls import URLPattern, URLResolver

app_name = "service_market"
urlpatterns: list[URLPattern | URLResolver] = []
