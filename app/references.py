"""Every work the app cites, in one place, with the part of it a sentence relies on.

Lessons cite by key: ``cite("lee2019")`` gives the short form used in running
text ("Lee et al. 2019"), and ``common.classroom.references(keys)`` ends a lesson
with its reference list (authors, year, title, venue, and the section or figure
relied on). A key that is not here raises ``KeyError`` (tests/app/test_references.py
checks that every key a lesson uses exists and that every short citation in the
app's text has an entry).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    """One cited work. ``relied_on`` names the section/figure/equation the app uses."""

    key: str
    authors: str          # "Jacot, Gabriel & Hongler"
    short: str            # "Jacot et al. 2018" — the form used in running text
    year: int
    title: str
    venue: str
    relied_on: str        # "Theorem 1 (convergence of the NTK), Section 4"

    def entry(self) -> str:
        """One line of a reference list (Markdown, static text only)."""
        return f"{self.authors} ({self.year}). *{self.title}*. {self.venue}. — Relied on: {self.relied_on}."


_ALL: tuple[Reference, ...] = (
    # Entries are added by lesson; keep them sorted by key. Check every `relied_on` against the
    # paper's text (the search tool's `pages` corpus holds arXiv/OpenReview texts).
)

REFERENCES: dict[str, Reference] = {r.key: r for r in _ALL}


def cite(key: str) -> str:
    """Short in-text citation, e.g. ``"Lee et al. 2019"``."""
    return REFERENCES[key].short
