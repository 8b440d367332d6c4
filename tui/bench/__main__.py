"""`python -m tui.bench` runs the performance benchmark; `python -m tui.bench identities` the identity evaluation."""

import sys

if len(sys.argv) > 1 and sys.argv[1] == "identities":
    from tui.bench.identities import main as identities_main

    sys.exit(identities_main(sys.argv[2:]))

from tui.bench.run import main

sys.exit(main(sys.argv[1:]))
