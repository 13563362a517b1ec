"""readMetadata answers parsed straight into light read-only components, for reads that are never written
back (the CustomField bulk of ``plan`` and ``drift``).

Why: turning a readMetadata answer into zeep objects costs about 7 ms of CPU per 10 fields, half of a
5,000-field plan, and threads do not help (the GIL). lxml walks the same answer in a tenth of that time.
The components look to metadata.py and reads.py as zeep's do (docs/salesforce.md#sf-ss-zeep-lenient):
attributes by element name; an element that is absent reads None, or [] when the WSDL lets it repeat
(maxOccurs > 1); text is converted by the same functions zeep uses. Which elements repeat and how text
converts come from the Metadata API WSDL that zeep loaded (client.py builds each type's ``Shape``), never
from a list kept here.

Anything that is not a plain readMetadata result (a SOAP fault, an error page, multipart, a DTD) is left
to zeep: :meth:`Reader.records` returns None and the caller hands the answer to zeep, which raises what it
always raised.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
_BODY = f"{{{SOAP_ENV}}}Body"
_FAULT = f"{{{SOAP_ENV}}}Fault"

# As zeep parses answers: no entities resolved, nothing fetched, comments dropped (zeep.loader.parse_xml).
_PARSER = etree.XMLParser(remove_comments=True, resolve_entities=False, no_network=True)


@dataclass(frozen=True)
class Element:
    """One element of a complex type, from the WSDL: does it repeat, and how its text becomes a value
    (``convert``, for simple types) or which complex type it holds (``complex_type``)."""

    many: bool
    convert: Callable[[str], Any] | None = None
    complex_type: str | None = None


Shape = Mapping[str, Element]  # a complex type's elements by name, its base types' included
Shapes = Callable[[str], Shape | None]  # type name (Metadata API namespace) → its shape; None if unknown


class Component:
    """A read-only Metadata API component or nested value, as read: ``component.label``,
    ``component.valueSet.valueSetDefinition.value[0].fullName``. Absent elements read None, or [] for
    elements that may repeat; so do names the type does not have (zeep raises there; crmdefs reads
    such names with ``getattr(..., None)``). Each type gets a subclass whose class attributes are its
    single elements' None (:meth:`Reader.component_class`), so reading an attribute costs what reading a
    plain object's does: planning reads every field's values this way."""

    _type = "Metadata"
    _many: frozenset[str] = frozenset()

    def __getattr__(self, name: str) -> Any:  # neither set nor a single element of the type
        if name.startswith("__"):  # copy, pickle and friends probe dunders: not elements
            raise AttributeError(name)
        return [] if name in self._many else None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{self._type} was read for planning only and cannot be changed")

    def __repr__(self) -> str:
        return f"{self._type}({self.__dict__!r})"


class Reader:
    """Parses readMetadata answers with the shapes ``shapes`` gives (one Reader per Metadata API client)."""

    def __init__(self, shapes: Shapes) -> None:
        self._shapes = shapes
        self._classes: dict[str, tuple[type[Component], Shape]] = {}

    def records(self, status: int, content_type: str, content: bytes) -> list[Any] | None:
        """The records of a readMetadata answer (None for a component that does not exist,
        docs/salesforce.md#sf-read-missing-nil), or None when the answer is anything but a plain result:
        then zeep must process it."""
        if status != 200 or "multipart" in content_type.lower():
            return None
        try:
            root = etree.fromstring(content, _PARSER)
        except etree.XMLSyntaxError:
            return None
        if root.getroottree().docinfo.doctype:  # zeep forbids entities; let it say so
            return None
        body = root.find(_BODY)
        if body is None or len(body) == 0 or body.find(_FAULT) is not None:
            return None
        result = next((e for e in body[0] if _local(e.tag) == "result"), None)
        if result is None:
            return None
        return [
            None if record.get(XSI_NIL) in ("true", "1") else self._component(record, "Metadata")
            for record in result
            if _local(record.tag) == "records"
        ]

    def component_class(self, type_name: str) -> tuple[type[Component], Shape] | None:
        """The class of ``type_name``'s components and its shape; None for a type the WSDL lacks."""
        known = self._classes.get(type_name)
        if known is None:
            shape = self._shapes(type_name)
            if shape is None:
                return None
            namespace: dict[str, Any] = {n: None for n, e in shape.items() if not e.many}
            namespace.update(_type=type_name, _many=frozenset(n for n, e in shape.items() if e.many))
            known = self._classes[type_name] = (type(type_name, (Component,), namespace), shape)
        return known

    def _component(self, node: Any, declared: str) -> Component:
        """A complex element as zeep parses it: its xsi:type if it has one, else the declared type."""
        instance = node.get(XSI_TYPE)
        known = self.component_class(instance.rpartition(":")[2]) if instance else None
        # an xsi:type the WSDL does not know: zeep falls back on the declared type
        known = known or self.component_class(declared) or (Component, {})
        cls, shape = known
        fields: dict[str, Any] = {}
        for child in node:
            tag = child.tag
            if not isinstance(tag, str):  # processing instructions
                continue
            name = _local(tag)
            element = shape.get(name)
            if element is None:  # not in the WSDL: zeep keeps it aside (_raw_elements), not as an attribute
                continue
            value = self._value(child, element)
            if element.many:
                fields.setdefault(name, []).append(value)
            else:
                fields[name] = value
        component = cls.__new__(cls)
        object.__setattr__(component, "__dict__", fields)
        return component

    def _value(self, node: Any, element: Element) -> Any:
        if element.complex_type is not None:
            return self._component(node, element.complex_type)
        text = node.text
        if text is None or element.convert is None:  # nil or empty: zeep gives None
            return text
        try:
            return element.convert(text)
        except (TypeError, ValueError):  # zeep logs and gives None
            return None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]
