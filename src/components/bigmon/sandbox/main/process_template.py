"""Render the *.template files that sit next to this script.

For every ``<name>.template`` in this directory, write ``<name>`` with each
``${VAR}`` placeholder replaced by the value of environment variable VAR.
Placeholders whose variable is not set are left as they are. Existing output
files are overwritten, so a restarted pod always picks up the current settings.
"""
import os
import re
import sys

PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


def expand(text, env):
    def value(match):
        name = match.group(1)
        return env[name] if name in env else match.group(0)

    return PLACEHOLDER.sub(value, text)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    suffix = ".template"
    for entry in sorted(os.listdir(here)):
        if not entry.endswith(suffix):
            continue
        source = os.path.join(here, entry)
        if not os.path.isfile(source):
            continue
        target = os.path.join(here, entry[: -len(suffix)])
        with open(source) as f:
            rendered = expand(f.read(), os.environ)
        with open(target, "w") as f:
            f.write(rendered)
        sys.stdout.write("rendered {}\n".format(target))


if __name__ == "__main__":
    main()
