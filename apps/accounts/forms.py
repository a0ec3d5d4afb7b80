import datetime

from django import forms
from django.utils import timezone

from apps.accounts.models import Role


class UserEditForm(forms.Form):
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField()
    phone = forms.CharField(max_length=32, required=False)
    roles = forms.MultipleChoiceField(
        choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    is_active = forms.BooleanField(required=False, label="Active")


class TokenCreateForm(forms.Form):
    name = forms.CharField(max_length=100)
    expires_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Expires on"
    )

    def clean_expires_on(self) -> datetime.date | None:
        expires_on: datetime.date | None = self.cleaned_data["expires_on"]
        if expires_on is not None and expires_on < timezone.now().date():
            raise forms.ValidationError("Pick today or a later day.")
        return expires_on
