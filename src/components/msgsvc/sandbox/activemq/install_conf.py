"""Write the ActiveMQ security configuration from the pod environment.

Reads
  ACTIVEMQ_BASE_PASSWD  base password (the `system` admin uses it as is;
                        account <a> gets "<base>_<a>")
  ACTIVEMQ_ACCOUNTS     account names separated by ';'
  ACTIVEMQ_CHANNELS     channel definitions separated by ';', each
                        "<name>:<writers>:<readers>" (writers and readers are
                        comma-separated accounts)
and writes into $ACTIVEMQ_HOME/conf
  users.properties      JAAS users and passwords
  groups.properties     JAAS groups: admins, users, and one group per account
  activemq.xml          the broker template next to this script, with the
                        ___AUTH_ENTRIES___ marker replaced by the
                        authorization entries of the admins, the users and
                        every channel
"""
import os
import re
import sys
from xml.sax.saxutils import quoteattr

MARKER = "___AUTH_ENTRIES___"


def split_list(value, sep):
    return [item.strip() for item in value.split(sep) if item.strip()]


def parse_channels(value):
    channels = []
    for definition in split_list(value, ";"):
        parts = definition.split(":")
        if len(parts) != 3 or not parts[0].strip():
            sys.exit("install_conf.py: channel {!r} is not <name>:<writers>:<readers>".format(definition))
        name, writers, readers = (p.strip() for p in parts)
        channels.append((name, writers, readers))
    return channels


def entry(kind, destination, read, write, admin):
    return "<authorizationEntry {}={} read={} write={} admin={} />".format(
        kind, quoteattr(destination), quoteattr(read), quoteattr(write), quoteattr(admin)
    )


def authorization_entries(channels):
    entries = [
        entry("queue", ">", "admins", "admins", "admins"),
        entry("topic", ">", "admins", "admins", "admins"),
        entry("topic", "ActiveMQ.Advisory.>", "users", "users", "users"),
    ]
    for name, writers, readers in channels:
        for kind in ("queue", "topic"):
            entries.append(entry(kind, name + ".>", readers, writers, "users"))
    return entries


def users_properties(base, accounts):
    lines = ["system={}".format(base)]
    lines += ["{}={}_{}".format(account, base, account) for account in accounts]
    return "\n".join(lines) + "\n"


def groups_properties(accounts):
    lines = ["admins=system", "users={}".format(",".join(accounts))]
    lines += ["{0}=system,{0}".format(account) for account in accounts]
    return "\n".join(lines) + "\n"


def broker_xml(template, entries):
    # indent every entry like the marker line so the result stays readable
    match = re.search(r"^([ \t]*)" + MARKER, template, re.MULTILINE)
    if not match:
        sys.exit("install_conf.py: {} not found in the activemq.xml template".format(MARKER))
    indent = match.group(1)
    start = match.end() - len(MARKER)
    return template[:start] + ("\n" + indent).join(entries) + template[match.end():]


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    print("install_conf.py: wrote {}".format(path))


def main():
    conf_dir = os.path.join(os.environ["ACTIVEMQ_HOME"], "conf")
    base = os.environ.get("ACTIVEMQ_BASE_PASSWD", "password")
    accounts = split_list(os.environ.get("ACTIVEMQ_ACCOUNTS", ""), ";")
    channels = parse_channels(os.environ.get("ACTIVEMQ_CHANNELS", ""))

    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "activemq.xml")) as f:
        template = f.read()

    write(os.path.join(conf_dir, "users.properties"), users_properties(base, accounts))
    write(os.path.join(conf_dir, "groups.properties"), groups_properties(accounts))
    write(os.path.join(conf_dir, "activemq.xml"), broker_xml(template, authorization_entries(channels)))


if __name__ == "__main__":
    main()
