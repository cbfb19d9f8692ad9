"""A person's own name and email address."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from boards.models import User
from boards.services.base import clean_text, required_text


@transaction.atomic
def profile_update(*, user: User, first_name: str, last_name: str, email: str) -> User:
    """Change a person's own name and email address (where invitations and resets go)."""
    first_name = required_text(
        first_name, "first_name", "Enter your first name.", max_length=150, single_line=True
    )
    last_name = clean_text(last_name, "last_name", max_length=150, single_line=True)
    email = clean_text(email, "email", max_length=254)
    if not email:
        raise ValidationError(
            {"email": "Enter your email address: password resets are sent there."}
        )
    email = User.objects.normalize_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": "Enter an email address, such as ana@example.com."}
        ) from None
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise ValidationError({"email": "Another account already uses this email address."})
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.save(update_fields=["first_name", "last_name", "email"])
    return user
