"""The words around a date that say whether it is a comment deadline, and which."""

from __future__ import annotations

import re

# Weak cues only count right before the date ("by the end of", "until 5pm on"), because
# "by" further away usually belongs to something else ("published by the Cabinet Office on").
WEAK = re.compile(
    r"(?:\b(?:until|till|by|before|(?:no|not)\s+later\s+than|due(?:\s+(?:on|by))?|through"
    r"|up\s+to(?:\s+and\s+including)?|(?:received|submitted|arriving)\s+after"
    r"|reach(?:ed)?\s+us(?:\s+(?:on|by))?|at\s+the\s+latest(?:\s+(?:on|by))?)\b"
    r"(?:\s*,?\s*\b(?:the|end|of|close|on|at|business|day|your|play)\b)*|\bto)\s*,?\s*$",
    re.I,
)
STRONG = re.compile(
    r"\b(?:clos(?:e|es|ed|ing)(?!\s+(?:to|early)\b)|ends|end(?:s|ed|ing)?\s+on|will\s+(?:now\s+)?end"
    r"|(?:end|close)\s+date|expires?|deadline|extended|extension"
    r"|postponed|last\s+day|dyddiad\s+cau|open\s+for\s+(?:comments?|consultation|responses?)"
    r"|(?:finish|conclud)(?:ed|es)?\s+on|cut-?off(?:\s+date)?"
    r"|(?:comment|response|reply)\s+(?:due\s+)?dates?)\b"
    # Federal Register field labels, and the same fields flattened into feeds and YAML.
    r"|(?-i:\bDATES\s*:)|\bcomments?_(?:due|close)"
    # "Comments are due on or before", a timeline's "Submissions due for draft guidance".
    r"|\b(?:comments?|submissions?|responses?)\s+(?:are\s+)?due\b",
    re.I,
)
SUFFIX_STRONG = re.compile(
    r"^\s*(?:\([^)]*\)\s*)?,?\s*(?:[-–—:]\s*)?(?:is|will\s+be|as|has\s+been\s+set\s+as)?\s*"
    r"(?:the\s+)?(?:(?P<rev>(?:new|revised|final)\s+)?(?P<what>(?:[\w-]+\s+){0,3}?)"
    r"(?:closing\s+date|deadline)\b"
    r"|(?:last|final|closing)\s+day\b"
    # Timeline rows: "21-Dec-15 End of public comment", "23-Nov-15 ... comments ... due by".
    r"|(?:end|close)\s+of\s+(?:the\s+)?(?:public\s+)?(?:comment|consultation|feedback|submission)"
    r"|[^.;,\d]{0,60}?\b(?:comments?|submissions?|responses?)\b[^.;,\d]{0,40}?\bdue\b)",
    re.I,
)
REVISED = re.compile(
    r"\b(?:revised|extended|extending|extension|new|postponed|moved|changed|amended|pushed\s+back"
    r"|rescheduled|correct(?:ed|ion)?|re-?opened|now\s+(?:end|close|run|expire)s?)\b",
    re.I,
)
CONTEXT = re.compile(
    r"\b(?:comment|respon[sd]|feedback|consult|submi(?:t|ssion)|views\b|evidence|repl(?:y|ies)"
    r"|representation|input\b|questionnaire|survey|preferably|objection|tell\s+us"
    r"|have\s+your\s+say|let\s+us\s+know|received\b)",
    re.I,
)
# Events and such: a date right after one of these is the event's, unless a weak cue sits
# between them ("accepted after the public hearing until May 25").
EVENT = re.compile(
    r"\b(?:meet(?:s|ing|ings)?|met|workshops?|events?|seminars?|webinars?|conferences?"
    r"|sessions?|hearings?|exhibition|round\s?table|drop-in|closures?)\b",
    re.I,
)
NEGATIVE = re.compile(
    r"\b(?:publish(?:ed|es)?|publication|(?:was|were|been)\s+sent|since"
    r"|save\s+the\s+date|regist(?:er|ered|ration)|t(?:ake|akes|aking|ook)\s+place|launch(?:ed|es)?"
    r"|book(?:ing)?|attend|issued|released"
    r")\b",
    re.I,
)
OLD_MARKER = re.compile(
    r"\b(?:previously|originally|original|initially|formerly|instead\s+of|rather\s+than)\s*:?\s*$",
    re.I,
)
# "was scheduled to close on", "were to have closed on", "originally set for": a date the
# text goes on to replace.
WAS = re.compile(
    r"\b(?:(?:was|were)\s+(?:(?:initially|originally|previously)\s+)?(?:scheduled|due|supposed"
    r"|set|to\s+(?:have\s+)?(?:clos(?:e|ed)|end(?:ed)?|be))|originally|initially)\b",
    re.I,
)
EVENT_AFTER = re.compile(r"^\W*(?:\w+\s+){0,2}?" + EVENT.pattern, re.I)
# Grant rounds, funding and their decisions: applicants' deadlines, not comments.
SOMEONE_ELSE = re.compile(
    r"\b(?:grant\s+(?:applications?|rounds?)|grantees?|funding\s+rounds?|funds\s+disbursed"
    r"|applications?\s+(?:must|are|may|will|deadlines?)|decisions?\s+will\s+be\s+announced)\b",
    re.I,
)
CONSULTATION_HAPPENED = re.compile(
    r"\b(?:consultations?|surveys?|engagement)\b[^.;]{0,60}?\b(?:took\s+place|held|ran)\b", re.I
)
# Said of a deadline already past ("the cut-off date of 31st of May" in a piece published in
# June, "closed on 12th November"): a yearless date is then the last one before publication.
PAST = re.compile(
    r"\b(?:(?<!to\s)(?:has|have|had)\s+(?:now\s+)?(?:closed|ended|finished)"
    r"|were\s+(?:mailed|posted|received|sent))\b",
    re.I,
)
AFTER = re.compile(r"\bafter\s*$", re.I)
FROM = re.compile(r"\b(?:from|between|was)\s*$", re.I)
RANGE_JOIN = re.compile(r"^\s*,?\s*(?:(?P<dash>-|–|—|→)|to|until|till|through|and)\s*$", re.I)
# Publishing something "by" a date is a promise, not a comment deadline.
PUBLISHING = re.compile(r"\b(?:publish|publication|announce|finali[sz])", re.I)
# Said of a date nobody has fixed yet, or of one that comes round every year.
HEDGE = re.compile(
    r"\b(?:likely|not\s+(?:yet\s+)?(?:been\s+)?confirmed|to\s+be\s+confirmed|every\s+year)\b",
    re.I,
)
# "Starting 11 August, the deadline ... will be": the day something begins.
START = re.compile(r"\b(?:starting|beginning|commencing|effective)\s*$", re.I)
# "initially supposed to end on Tuesday, September 4, but has since been extended by a week".
EXTENDED_BY = re.compile(
    r"\bextended\s+(?:by|for)\s+(?:an?\s+(?:further|additional|extra)?\s*|one\s+|"
    r"(?P<n>two|three|four|five|six|\d{1,2})\s+(?:(?:further|additional|extra)\s+)?)"
    r"(?P<unit>day|week)s?\b",
    re.I,
)
WEEK_ELSEWHERE = re.compile(r"\b(?:next|this|last)\s+week\b", re.I)
# The second round of US comments ("reply comments are due on or before May 20").
REPLY = re.compile(r"\brepl(?:y|ies)\b", re.I)
NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
EXTENSION = re.compile(
    r"\b(?:exten(?:d|sion)|postpone|moved|changed|revised|correct|re-?open)", re.I
)
# Quotes, brackets and "tomorrow (" between a cue and its date: "corrected to “April 9”".
LEAD_NOISE = re.compile(r"(?:\b(?:tomorrow|today|tonight)\b)?[\s“”\"'‘’`(\[]*$", re.I)
