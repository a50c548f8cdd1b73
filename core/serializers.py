"""Serializers that only write answers out.

DRF deep-copies every declared field each time a serializer is made, so that one instance may
change its fields without touching the others; a booking's twenty-two fields cost a tenth of a
booking request that way. An answer-only serializer never changes its fields: each instance
gets shallow copies, which ``bind`` then gives their own name and parent.
"""

import copy
from typing import Any

from rest_framework import serializers


class OutputSerializer(serializers.Serializer):
    """A read-only serializer (every field ``read_only``) that copies its fields shallowly."""

    def get_fields(self) -> dict[str, Any]:
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}
