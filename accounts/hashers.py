"""Argon2id with parameters chosen on purpose: OWASP's minimum (19 MiB of memory, 2 passes,
one lane). Django's defaults (100 MiB, 8 lanes) made a flood of sign-ins with random names
take both CPUs and nearly a gigabyte; these cost about a fifth. A hash made with other
parameters is re-made at the next sign-in (Django asks ``must_update``)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2Hasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
