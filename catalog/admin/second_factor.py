"""django-otp's device admins, with one change: deleting a device ends its user's sessions."""

from django.contrib import admin
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from catalog.services.second_factor import devices_removed_in_admin


class _EndsSessions:
    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        devices_removed_in_admin(actor=request.user, user_ids=[obj.user_id])

    def delete_queryset(self, request, queryset):
        user_ids = list(queryset.values_list("user_id", flat=True))
        super().delete_queryset(request, queryset)
        devices_removed_in_admin(actor=request.user, user_ids=user_ids)


class TOTPDevices(_EndsSessions, TOTPDeviceAdmin):
    pass


class StaticDevices(_EndsSessions, StaticDeviceAdmin):
    pass


for model, model_admin in ((TOTPDevice, TOTPDevices), (StaticDevice, StaticDevices)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
