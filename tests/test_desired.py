"""Text composition: one definition written once, composed into every field that carries it."""

from __future__ import annotations

from crmdefs.definitions.model import PicklistValue, Source, Status, Term, TextSpec
from crmdefs.plan.desired import compose, value_description

SRC = Source("t.yaml", 1)
TERMS = {
    "mql": Term(
        "mql",
        "Marketing Qualified Lead",
        Status.APPROVED,
        "Ready for a rep. ",
        "Long MQL.",
        SRC,
        abbreviation="MQL",
    ),
    "champion": Term("champion", "Champion", Status.APPROVED, "Sells for us inside.", "Long champion.", SRC),
}


def test_literal_text_is_trimmed() -> None:
    assert compose(TextSpec(literal="  Why the deal was lost.\n"), TERMS) == "Why the deal was lost."


def test_one_term_uses_the_chosen_part() -> None:
    assert compose(TextSpec(terms=("mql",)), TERMS) == "Ready for a rep."
    assert compose(TextSpec(terms=("mql",), use="definition"), TERMS) == "Long MQL."
    assert compose(TextSpec(terms=("mql",), use="name"), TERMS) == "Marketing Qualified Lead"


def test_a_list_of_terms_gives_one_line_each_with_short_names_and_intro() -> None:
    text = TextSpec(terms=("mql", "champion"), composed_list=True, intro="Stages:")
    assert compose(text, TERMS) == "Stages:\nMQL: Ready for a rep.\nChampion: Sells for us inside."


def test_value_description_prefers_its_own_text_then_the_term_summary() -> None:
    own = PicklistValue("Price", "Price", description=" Too expensive. ", term="mql")
    from_term = PicklistValue("MQL", "MQL", term="mql")
    assert value_description(own, TERMS) == "Too expensive."
    assert value_description(from_term, TERMS) == "Ready for a rep."
    assert value_description(PicklistValue("X", "X"), TERMS) is None
