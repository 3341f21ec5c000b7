from django.urls import path

from yicang.ledger.log import api

urlpatterns = [
    path("checkpoint/", api.CheckpointView.as_view(), name="log-checkpoint"),
    path("key/", api.KeyView.as_view(), name="log-key"),
    path("entries/", api.EntriesView.as_view(), name="log-entries"),
    path("proof/inclusion/", api.InclusionProofView.as_view(), name="log-inclusion"),
    path("proof/consistency/", api.ConsistencyProofView.as_view(), name="log-consistency"),
]
