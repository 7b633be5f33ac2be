"""The OCA's build backend (whool) for this repository, whose root is the addon.

whool names the wheel after the addon's directory; a clone of this repository
may be checked out under any name, so the build runs whool on a link named
after the addon. Nothing else differs from whool: the version comes from the
manifest (and git), the requirements from its depends and external
dependencies, the files from ``git ls-files``.
"""

import contextlib
import pathlib
import tempfile

from whool import buildapi

ADDON = "sale_customer_base"
ROOT = pathlib.Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def _addon_dir():
    with tempfile.TemporaryDirectory() as tmp:
        link = pathlib.Path(tmp, ADDON)
        link.symlink_to(ROOT, target_is_directory=True)
        yield link


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with _addon_dir() as addon_dir:
        return buildapi._build_wheel(addon_dir, pathlib.Path(wheel_directory), editable=False)


def build_sdist(sdist_directory, config_settings=None):
    with _addon_dir() as addon_dir:
        return buildapi._build_sdist(addon_dir, pathlib.Path(sdist_directory))


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    with _addon_dir() as addon_dir:
        return buildapi._make_dist_info(buildapi._get_metadata(addon_dir), pathlib.Path(metadata_directory))


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []
