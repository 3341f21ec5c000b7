from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from stores.api import PublicityView, TraceLogView, TraceView
from stores.views.publicity import publicity
from stores.views.trace import trace
from yicang.api import router
from yicang.core.health import healthz
from yicang.reports.api import router as registers

urlpatterns = [
    path("", include("yicang.reports.urls")),
    path("staff/", include("yicang.community.urls")),
    path("staff/", include("donors.urls")),
    path("staff/store/", include("stores.urls")),
    path("", include("volunteers.urls")),
    path("market/", include("volunteers.market.urls")),
    path("", include("markets.urls")),
    path("", include("forums.urls")),
    path("t/<str:code>", trace, name="trace"),
    path("c/<slug:code>/publicity/", publicity, name="publicity"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/trace/<str:code>/", TraceView.as_view(), name="api-trace"),
    path("api/v1/trace/<str:code>/log/", TraceLogView.as_view(), name="api-trace-log"),
    path("api/v1/log/", include("yicang.ledger.log.urls")),
    path("api/v1/publicity/<slug:code>/", PublicityView.as_view(), name="api-publicity"),
    path("api/v1/", include("stores.api_delivery")),
    path("api/v1/registers/", include(registers.urls)),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
