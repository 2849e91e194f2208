"""Read the sign-up and manage forms' fields, as the contract names them, into Choices."""

from __future__ import annotations

from collections.abc import Callable

from notifier.models import Strand
from notifier.models.people import FREQUENCIES
from notifier.subscriptions.choices import (
    Choices,
    InvalidChoice,
    InvalidChoices,
    Preference,
    check_frequency,
    pick_strands,
)

# A per-strand reminders field is a checkbox after a hidden "n", so a browser always sends it
# and its last value is the answer; a plain "reminders" is a checkbox that is absent when off.
TRUE = frozenset({"y", "yes", "on", "true", "1"})
FALSE = frozenset({"", "n", "no", "off", "false", "0"})


def choices_from_fields(getlist: Callable[[str], list[str]]) -> Choices:
    """Read the form fields of the contract into Choices; raise InvalidChoices naming fields.

    `strands` lists the slugs kept; `frequency-<slug>` and `reminders-<slug>` set one strand;
    a plain `frequency` / `reminders` applies to every kept strand without a field of its own.
    """
    errors: dict[str, str] = {}
    try:
        strands = pick_strands(getlist("strands"))
    except InvalidChoice as exc:
        errors[exc.field] = exc.message
        strands = []
    plain_frequency = (getlist("frequency") or [None])[-1]
    if plain_frequency is not None:
        try:
            check_frequency(plain_frequency)
        except InvalidChoice as exc:
            errors[exc.field] = exc.message
    plain_reminders = bool(getlist("reminders")) and getlist("reminders")[-1] not in ("", "false")
    preferences = []
    for strand in strands:
        own = getlist(f"frequency-{strand.slug}")
        try:
            frequency = _own_frequency(strand, own[-1]) if own else check_frequency(plain_frequency)
        except InvalidChoice as exc:
            errors.setdefault(exc.field, exc.message)
            continue
        reminders = getlist(f"reminders-{strand.slug}")
        if not reminders:
            preferences.append(Preference(strand, frequency, plain_reminders))
        elif reminders[-1].lower() in TRUE | FALSE:
            preferences.append(Preference(strand, frequency, reminders[-1].lower() in TRUE))
        else:
            errors[f"reminders-{strand.slug}"] = (
                f"Say whether you want reminders for {strand.name}: y or n"
            )
    if errors:
        raise InvalidChoices(errors)
    return Choices(tuple(preferences))


def _own_frequency(strand: Strand, value: str) -> str:
    if value not in FREQUENCIES:
        raise InvalidChoice(
            f"frequency-{strand.slug}", f"Choose how often you want emails about {strand.name}"
        )
    return value
