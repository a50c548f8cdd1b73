"""Serializers that only write answers out.

DRF deep-copies every declared field each time a serializer is made, then binds each copy to
its new parent, so that one instance may change its fields without touching the others: a
booking's twenty-two fields cost a tenth of a booking request that way. An answer-only
serializer never changes its fields, and plain read-only fields keep no state of their own
while they write a value out: its fields are bound once per class and shared.
"""

from typing import Any, ClassVar

from rest_framework import serializers
from rest_framework.fields import Field, SkipField
from rest_framework.relations import RelatedField


class OutputSerializer(serializers.Serializer):
    """A read-only serializer of plain fields (no related field, no nested serializer, nothing
    that reads the context) whose fields are bound once, for every instance of the class."""

    _bound: ClassVar[tuple[tuple[str, Field], ...]]

    @classmethod
    def bound_fields(cls) -> tuple[tuple[str, Field], ...]:
        """(name, field) pairs, bound to one instance of the class made for the purpose."""
        bound = cls.__dict__.get("_bound")
        if bound is None:
            bound = tuple(cls().fields.items())
            for name, field in bound:
                assert field.read_only, f"{cls.__name__}.{name} writes"
                assert not isinstance(field, RelatedField | serializers.BaseSerializer), (
                    f"{cls.__name__}.{name} is not a plain field"
                )
            cls._bound = bound
        return bound

    def to_representation(self, instance: Any) -> dict[str, Any]:
        # Serializer.to_representation, over the fields bound once.
        data: dict[str, Any] = {}
        for name, field in self.bound_fields():
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            data[name] = None if attribute is None else field.to_representation(attribute)
        return data
