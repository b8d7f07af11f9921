"""Passwords: Django's validators and the guessable-password rule."""

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

USER = User(username="rita-reviewer", email="rita@example.org")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("aaaaaaaaaaaa", "repeats too few characters"),
        ("AAAAAAaaaaaa", "repeats too few characters"),
        ("abcabcabcabc", "repeats too few characters"),
        ("short-pw", "too short"),
        ("ritareviewer2026", "too similar to the username"),
        ("rita@example.org1", "too similar to the email address"),
        ("Rita-Reviewer-and-a-long-tail", "contains the username"),
        ("123456789012", "entirely numeric"),
        ("passwordpassword", None),  # long, several letters, not listed
        ("correct-horse-battery", None),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password, message):
    """Each weak password is refused, saying why; strong ones pass."""
    if message is None:
        validate_password(password, USER)
        return
    with pytest.raises(ValidationError) as refused:
        validate_password(password, USER)
    assert any(message in text for text in refused.value.messages)


@pytest.mark.django_db
def test_the_admin_refuses_a_repeated_character_password(admin_client):
    """The admin's add-user form shows the rule and creates no user."""
    response = admin_client.post(
        "/admin/auth/user/add/",
        {
            "username": "new-editor",
            "password1": "aaaaaaaaaaaa",
            "password2": "aaaaaaaaaaaa",
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    assert "repeats too few characters" in response.content.decode()
    assert not User.objects.filter(username="new-editor").exists()
