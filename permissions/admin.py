"""Django admin for the directory: organisations (with their dated superiors), people and positions.

Every write goes through ``permissions.services`` with ``by=request.user``, so an admin change is a directory
event in the audit trail like an import or a reorganisation.  Organisations and positions are never deleted
(reviews and the audit trail refer to them): end them instead (``valid_to``, ``end``).  A position's holder,
organisation, role and start are fixed once saved: end it and start another.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from permissions.models import Organization, Position, SuperiorPeriod, User
from permissions.services import organization_save, position_end, position_start, superior_periods_set

END_INSTEAD = _("Organisations and positions are not deleted: end them instead.")
BELOW_ITSELF = _("An organisation cannot report to itself or to one below it.")


class SuperiorPeriodInline(admin.TabularInline):
    model = SuperiorPeriod
    fk_name = "organization"
    fields = ["superior", "valid_from", "valid_to"]
    autocomplete_fields = ["superior"]
    extra = 0


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["code", "name", "kind", "superior", "valid_from", "valid_to", "successor", "split_from"]

    def clean_superior(self):
        superior = self.cleaned_data.get("superior")
        own = self.instance
        if superior is not None and own.pk and (superior.pk == own.pk or superior.path.startswith(own.path)):
            raise forms.ValidationError(BELOW_ITSELF)
        return superior


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    form = OrganizationForm
    list_display = ["code", "name", "kind", "superior", "valid_from", "valid_to"]
    list_filter = ["kind", "valid_to"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["superior", "successor", "split_from"]
    inlines = [SuperiorPeriodInline]

    def save_model(self, request, obj, form, change):
        organization_save(organization=obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not SuperiorPeriod:
            return super().save_formset(request, form, formset, change)
        periods = []
        for period_form in formset.forms:
            data = getattr(period_form, "cleaned_data", None)
            if not data or (formset.can_delete and formset._should_delete_form(period_form)):
                continue
            periods.append((data["superior"], data.get("valid_from"), data.get("valid_to")))
        periods.sort(key=lambda period: (period[1] is not None, period[1]))
        superior_periods_set(organization=form.instance, periods=periods, by=request.user)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def has_delete_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        raise PermissionDenied(END_INSTEAD)

    def delete_queryset(self, request, queryset):
        raise PermissionDenied(END_INSTEAD)


@admin.register(User)
class PersonAdmin(UserAdmin):
    """Django's user admin, with the Vietnamese full name."""

    list_display = ["username", "full_name", "email", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["full_name", "first_name", "last_name", "email"]}),
        *UserAdmin.fieldsets[2:],
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["username", "full_name", "password1", "password2"]})]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["person", "organization", "role", "start", "end"]
    list_filter = ["role", "organization__kind", "start", "end"]
    search_fields = ["person__username", "person__full_name", "organization__code", "organization__name"]
    autocomplete_fields = ["person", "organization"]
    list_select_related = ["person", "organization"]

    def get_readonly_fields(self, request, obj=None):
        return ["person", "organization", "role", "title", "start"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if not change:
            saved = position_start(
                person=obj.person,
                organization=obj.organization,
                role=obj.role,
                start=obj.start,
                end=obj.end,
                title=obj.title,
                by=request.user,
            )
            obj.pk = saved.pk
        elif "end" in form.changed_data:
            position_end(position=obj, end=obj.end, by=request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        raise PermissionDenied(END_INSTEAD)

    def delete_queryset(self, request, queryset):
        raise PermissionDenied(END_INSTEAD)
