"""Django's PostgreSQL backend, on the embedded server (``config.embedded_postgres``): the
first connection starts it and learns where its socket is."""

from pathlib import Path
from typing import Any

from django.db.backends.postgresql import base

from . import socket_dir


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        settings = self.settings_dict
        settings["HOST"] = socket_dir(Path(settings["DATA_DIR"]), settings["DEFAULT_NAME"])
        return super().get_connection_params()
