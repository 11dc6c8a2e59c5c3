"""``python -m codehazard``."""

import sys

from codehazard.cli import main

sys.exit(main())
