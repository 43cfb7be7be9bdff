"""odoo-bin for the load and concurrency checks (started by scripts/rpc_lab.py).

With --workers, Odoo's prefork master also starts a websocket (gevent) process for the
web client's bus. XML-RPC clients do not use it, and where gevent cannot start (here its
plugin loader does not find zope.interface) the master respawns it in a loop, each time
importing Odoo, which skews the figures: an idle placeholder process stands in for it.
"""

import subprocess
import sys

import odoo
from odoo.service import server


def _idle_long_polling(self):
    self.long_polling_pid = subprocess.Popen(
        [sys.executable, "-c", "import signal; signal.pause()"]
    ).pid


server.PreforkServer.long_polling_spawn = _idle_long_polling

if __name__ == "__main__":
    odoo.cli.main()
