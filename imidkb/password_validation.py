"""Password rules that Django's validators leave out."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MIN_DISTINCT_CHARACTERS = 4
MIN_NAME_LENGTH = 4


class GuessablePasswordValidator:
    """Refuse passwords that are long only on paper.

    Django's validators count length (MinimumLength), look words up
    (CommonPassword) and compare the whole password with the user's
    attributes by a similarity ratio (UserAttributeSimilarity). Two kinds of
    guessable password pass all three: one character (or a very short run)
    repeated to length, as "aaaaaaaaaaaa" or "abcabcabcabc", which an attacker
    tries first; and a long password that contains the username, whose
    ratio to the shorter username stays under the similarity threshold
    ("admin" in "admin-password-1"). This validator refuses a password with
    fewer than four distinct characters and one that contains the username
    (of four characters or more), case ignored.
    """

    def validate(self, password, user=None):
        if len(set(password.lower())) < MIN_DISTINCT_CHARACTERS:
            raise ValidationError(
                _(
                    "This password repeats too few characters: use at least "
                    "%(count)d different ones."
                ),
                code="password_too_repetitive",
                params={"count": MIN_DISTINCT_CHARACTERS},
            )
        username = str(getattr(user, "get_username", lambda: "")() or "").lower()
        if len(username) >= MIN_NAME_LENGTH and username in password.lower():
            raise ValidationError(
                _("This password contains the username."),
                code="password_contains_username",
            )

    def get_help_text(self):
        return _(
            "Your password cannot be a few characters repeated or contain your "
            "username."
        )
