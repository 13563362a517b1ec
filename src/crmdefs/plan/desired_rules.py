"""A binding's ``requirements:`` as the rules each CRM should hold (plan/state.py DesiredRule). Pure.

The ``when`` values become the values the CRM stores (``hubspot: {value: …}`` / ``salesforce: {value: …}``);
the message is the composed ``message:`` (docs/salesforce.md#sf-validation-rule: at most 255 characters,
checked by `validate`), or a sentence crmdefs words from the names; the description names the glossary
terms and the definitions file, and says the rule is crmdefs' (plan/rules.py ``marker``) — not the line, so
that an edit elsewhere in the file does not rewrite every rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from crmdefs.definitions.model import FieldBinding, PicklistValue, Requirement, Term, TextSpec
from crmdefs.definitions.rules import by_spelling, rule_name
from crmdefs.plan.rules import marker
from crmdefs.plan.state import DesiredRule

DESCRIPTION_LIMIT = 255  # Setup's limit on a rule's description (docs/salesforce.md#sf-validation-rule)


def humanize(api_name: str) -> str:
    """``Loss_Reason__c`` → "Loss Reason", ``StageName`` → "Stage Name": a field named in a sentence."""
    words = api_name.removesuffix("__c").replace("_", " ")
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", words).strip()


def default_message(binding: FieldBinding, req: Requirement, when: tuple[str, ...]) -> str:
    """The error crmdefs words when a requirement gives no ``message:``."""
    fields = " and ".join(humanize(f) for f in req.require)
    values = " or ".join(when)
    verb = "are" if len(req.require) > 1 else "is"
    return f"{fields} {verb} required when {humanize(binding.address.field)} is {values}."


def desired_rules(
    binding: FieldBinding, terms: Mapping[str, Term], message: Callable[[TextSpec], str | None]
) -> tuple[DesiredRule, ...] | None:
    """The rules ``binding`` asks for; None when it has none to manage (no picklist: nothing to require
    at). ``message(spec)``: the composed text, or None when the approval gate holds it back."""
    if binding.picklist is None:
        return None
    crm = binding.address.crm
    values = by_spelling(binding.picklist.values, crm)  # as validate checks ``when``
    rules = []
    for req in binding.requirements:
        chosen = [values[w.casefold()] for w in req.when if w.casefold() in values]
        when = tuple(v.value_in(crm) for v in chosen)
        text = message(req.message) if req.message is not None else None
        rules.append(
            DesiredRule(
                name=rule_name(binding, req),
                message=text or default_message(binding, req, when),
                description=_description(binding, req, chosen),
                active=req.active,
                when=when,
                require=req.require,
                source=req.source,
            )
        )
    return tuple(rules)


def _description(binding: FieldBinding, req: Requirement, chosen: list[PicklistValue]) -> str:
    named = list(req.message.terms) if req.message is not None else []
    named += [v.term for v in chosen if v.term and v.term not in named]
    about = f"glossary {'terms' if len(named) > 1 else 'term'} {', '.join(named)}; " if named else ""
    said = marker(binding.address)
    tail = f"{said[0].upper()}{said[1:]}: edit the definitions, not this rule."
    head = f"{' and '.join(req.require)} required at {', '.join(v.value for v in chosen)} ({about}"
    text = f"{head}{req.source.path}). {tail}"
    if len(text) > DESCRIPTION_LIMIT:  # the marker must survive: shorten the part before it
        text = f"{text[: DESCRIPTION_LIMIT - len(tail) - 2].rstrip()}… {tail}"
    return text
