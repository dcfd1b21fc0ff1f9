"""Packaging for stickerd_client.

The protobuf module is generated at build time (build_py runs generate.sh),
never committed, so an install always matches proto/stickerd.proto.

Offline install with Debian's setuptools (no download of build requirements):

    pip install --no-build-isolation ./clients/python

pip >= 21.3 builds a local directory in place, so generate.sh finds
../../proto/stickerd.proto. Building from an sdist elsewhere needs PROTO_DIR.
"""

import os
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))


class BuildWithProtoc(build_py):
    def run(self):
        subprocess.run([os.path.join(HERE, "generate.sh")], check=True)
        super().run()


setup(
    name="stickerd-client",
    version="0.1.0",
    description="Client for the stickerd sticker-rendering daemon",
    license="MIT",
    packages=["stickerd_client"],
    python_requires=">=3.9",
    # Debian 12's python3-protobuf is 3.21 (module version 4.21); generated code
    # from protoc 3.21 needs protobuf >= 3.20.
    install_requires=["protobuf>=3.20"],
    cmdclass={"build_py": BuildWithProtoc},
)
