"""The ``ecotone`` command: Django's management commands under the project's name.

``ecotone serve``, ``ecotone demo``, ``ecotone import`` … are management commands
of the apps; anything else Django knows (``migrate``, ``shell``) works as well.
"""

import os
import sys


def main() -> None:
    from ecotone.core.worker import die_with_parent

    die_with_parent()  # a worker started by `ecotone serve` ends when the server does
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecotone.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ecotone", *sys.argv[1:]])


if __name__ == "__main__":
    main()
