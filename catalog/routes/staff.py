"""URL routes for the staff area."""

from django.urls import path

from catalog.views import flow, lifecycle, staff

urlpatterns = [
    path("staff/", staff.board, name="staff_board"),
    path("staff/inbox/", staff.inbox, name="staff_inbox"),
    path("staff/flow/", flow.staff_flow, name="staff_flow"),
    path("staff/integrations/<int:pk>/", staff.integration_detail, name="staff_integration"),
    path("staff/integrations/<int:pk>/promote/", staff.promote, name="staff_promote"),
    path("staff/integrations/<int:pk>/roll-back/", staff.roll_back, name="staff_roll_back"),
    path("staff/integrations/<int:pk>/graduate/", staff.graduate, name="staff_graduate"),
    path("staff/integrations/<int:pk>/archive/", lifecycle.archive, name="staff_archive"),
    path("staff/integrations/<int:pk>/restore/", lifecycle.restore, name="staff_restore"),
    path("staff/withdrawn/", lifecycle.retired, name="staff_retired"),
]
