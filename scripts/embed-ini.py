#!/usr/bin/env python3
"""Turn an INI file into a C header holding it as a string: embed-ini.py IN OUT SYMBOL."""
import sys

src, out, sym = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(src, encoding="utf-8").read()
with open(out, "w", encoding="utf-8") as f:
    f.write("/* Generated from %s by scripts/embed-ini.py: do not edit. */\n" % src.split("/")[-1])
    f.write("static const char %s[] =\n" % sym)
    for line in text.splitlines(True):
        esc = line.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        f.write('\t"%s"\n' % esc)
    f.write("\t;\n")
