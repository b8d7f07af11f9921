"""When figures disagree: the one rule, used by querysets and pages alike.

Two figures answer the same question when they are for the same disease,
measure, population and region; when more than one figure answers a question,
the sources disagree (or state it more than once), and every figure is shown
side by side.
"""

from collections import defaultdict

QUESTION = ("disease", "measure", "population", "region")


def question_of(figure) -> tuple:
    """The question a figure answers (foreign keys by id: no query)."""
    return tuple(figure.serializable_value(field) for field in QUESTION)


def disagreements(figures) -> list[list]:
    """Sets of the given figures that answer the same question."""
    groups = defaultdict(list)
    for figure in figures:
        groups[question_of(figure)].append(figure)
    return [rows for rows in groups.values() if len(rows) > 1]
