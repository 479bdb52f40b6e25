"""Puts relkit's staged files into the wheel, tagged for the platform the binary needs.

RELKIT_WHEEL_STAGE holds `relkit` (stripped), `relkit.1` and `completions/relkit.{bash,zsh,fish}`;
RELKIT_WHEEL_PLATFORM is the platform tag (`manylinux_2_34_x86_64`). The binary goes in
`.data/scripts/` (pip installs it as the `relkit` command, as maturin's wheels do), the rest in
`.data/data/share/`, where man and the shells look under the environment's prefix.
"""

import os

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class RelkitFilesHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version, build_data):
        stage = os.environ.get("RELKIT_WHEEL_STAGE")
        platform = os.environ.get("RELKIT_WHEEL_PLATFORM")
        if not stage or not platform:
            raise RuntimeError("build relkit's wheel with `make dist`: RELKIT_WHEEL_STAGE and RELKIT_WHEEL_PLATFORM are not set")
        build_data["pure_python"] = False
        build_data["tag"] = f"py3-none-{platform}"
        build_data["shared_scripts"][os.path.join(stage, "relkit")] = "relkit"
        for source, target in [
            ("relkit.1", "share/man/man1/relkit.1"),
            ("completions/relkit.bash", "share/bash-completion/completions/relkit"),
            ("completions/relkit.zsh", "share/zsh/site-functions/_relkit"),
            ("completions/relkit.fish", "share/fish/vendor_completions.d/relkit.fish"),
        ]:
            build_data["shared_data"][os.path.join(stage, source)] = target
