#!/usr/bin/env python
"""Render the *.template files that sit next to this script.

For every NAME.template in this script's directory, write NAME in the same directory with each
${VAR} replaced by the value of the environment variable VAR. A placeholder whose variable is
not set is left as it is. An output file that already exists is left alone, so a file provided
by the operator wins over a template. Runs under Python 2.7 and 3.
"""
from __future__ import print_function

import io
import os
import re
import sys

PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def substitute(text, env):
    """Replace ${VAR} with env[VAR] when VAR is set; keep the placeholder otherwise."""
    return PLACEHOLDER.sub(lambda m: env.get(m.group(1), m.group(0)), text)


def render_dir(directory, env):
    """Render every template of `directory`; return the list of files written."""
    written = []
    for entry in sorted(os.listdir(directory)):
        if not entry.endswith(".template") or entry == ".template":
            continue
        source = os.path.join(directory, entry)
        target = os.path.join(directory, entry[: -len(".template")])
        if not os.path.isfile(source):
            continue
        if os.path.exists(target):
            print("process_template: keeping existing %s" % target)
            continue
        with io.open(source, "r", encoding="utf-8") as f:
            text = f.read()
        with io.open(target, "w", encoding="utf-8") as f:
            f.write(substitute(text, env))
        print("process_template: wrote %s" % target)
        written.append(target)
    return written


def main(argv):
    directory = argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    env = dict((k, v if isinstance(v, type(u"")) else v.decode("utf-8")) for k, v in os.environ.items())
    render_dir(directory, env)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
