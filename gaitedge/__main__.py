import sys

from gaitedge.cli import main

sys.exit(main())
