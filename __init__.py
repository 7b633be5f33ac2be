import logging
import shutil

from . import models
from . import reports
from . import wizards
from . import demo

_logger = logging.getLogger(__name__)


def post_init_hook(env):
    """Make customers of the partners of orders confirmed before the install; say if right-to-left needs a tool."""
    env["sale.order"]._rank_customers_of_confirmed_orders()
    _check_rtlcss(env)


def _check_rtlcss(env):
    """Log once, at install, that right-to-left languages need ``rtlcss`` when the server lacks it.

    Odoo runs the ``rtlcss`` node tool to mirror its style sheets for right-to-left languages;
    without it their screens keep the left-to-right layout. INFO while no such language is active
    (a server for left-to-right readers loses nothing, and test runs that fail on warnings stay
    clean), WARNING once one is.
    """
    if shutil.which("rtlcss"):
        return
    rtl_active = env["res.lang"].search_count([("direction", "=", "rtl")], limit=1)
    _logger.log(
        logging.WARNING if rtl_active else logging.INFO,
        "Right-to-left languages (Arabic, Hebrew, Persian) need the rtlcss tool, not found on this server: "
        "install it with `npm install -g rtlcss` before those languages are used, or their screens keep "
        "the left-to-right layout.",
    )
