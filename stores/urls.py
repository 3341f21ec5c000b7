from django.urls import URLPattern, path

from stores.views import delivery, intake, inventory, scan

app_name = "stores"
urlpatterns: list[URLPattern] = [
    path("c/<slug:code>/intake/", intake.intake_page, name="intake"),
    path("donations/<int:pk>/receipt/", intake.receipt_page, name="receipt"),
    path("donations/<int:pk>/labels/", intake.print_labels, name="receipt-labels"),
    path("scan/", scan.scan_page, name="scan"),
    path("c/<slug:code>/checks/", inventory.checks_page, name="checks"),
    path("c/<slug:code>/checks/start/", inventory.start_page, name="check-start"),
    path("c/<slug:code>/alerts/seen/", inventory.alerts_seen_page, name="alerts-seen"),
    path("alerts/<int:pk>/seen/", inventory.alert_seen_page, name="alert-seen"),
    path("checks/<int:pk>/", inventory.check_page, name="check"),
    path("checks/<int:pk>/close/", inventory.close_page, name="check-close"),
    path("checks/<int:pk>/cancel/", inventory.cancel_page, name="check-cancel"),
    path("checks/<int:pk>/approve-all/", inventory.approve_all_page, name="check-approve-all"),
    path("checks/<int:pk>/findings/<int:finding>/", inventory.decide_page, name="check-decide"),
    path("c/<slug:code>/deliveries/", delivery.plans_page, name="delivery-plans"),
    path("plans/<int:pk>/", delivery.plan_page, name="delivery-plan"),
    path("plans/<int:pk>/live/", delivery.plan_live, name="delivery-plan-live"),
    path("plans/<int:pk>/families/", delivery.add_family, name="delivery-add-family"),
    path("plans/<int:pk>/dispatch/", delivery.dispatch, name="delivery-dispatch"),
    path("plans/<int:pk>/close/", delivery.close, name="delivery-close"),
    path("deliveries/<int:pk>/reserve/", delivery.reserve, name="delivery-reserve"),
    path("deliveries/<int:pk>/release/", delivery.release, name="delivery-release"),
    path("deliveries/<int:pk>/door/", delivery.door, name="delivery-door"),
]
