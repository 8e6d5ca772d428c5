#!/usr/bin/env python3
"""Split the examples of README.md and the man pages into files for test_docs.sh.

doc_blocks.py OUTDIR FILE...: every fenced code block of a Markdown FILE,
every `check_... -...` or `vaktd -...` code span of its text (as a "$ "
line), and every .EX/.EE block of a man page FILE (roff escapes undone) becomes
OUTDIR/NNN.KIND, with OUTDIR/NNN.origin saying FILE:LINE. KIND is what the
block is, by these rules (the convention test_docs.sh documents):

  session  a line starts with "$ ": the lines from one "$ " to the next are a
           command (continued by a trailing backslash) and what it prints
  sh       a ```sh block: one command per line, "# ..." a comment
  ini      a ```ini block, or a block whose section headers are all
           vaktd.conf sections (SECTIONS, from the environment)
  nagios   a block with a Nagios "define ... {" or "cfg_file="
  icinga   a block with an Icinga "apply", "object" or "include"
  other    anything else (output, SQL, JSON, a file layout): not run
"""
import os
import re
import sys

ROFF = [
    (r"\(aq", "'"), (r"\(ga", "`"), (r"\(dq", '"'), (r"\(em", "--"),
    (r"\-", "-"), (r"\e", "\\"), (r"\&", ""), (r"\fB", ""), (r"\fI", ""),
    (r"\fR", ""), (r"\fP", ""), (r"\ ", " "), (r"\.", "."),
]


def unroff(line):
    out = line
    for a, b in ROFF:
        out = out.replace(a, b)
    return out


def markdown_blocks(path):
    lang, start, lines = None, 0, None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if lines is None:
                m = re.match(r"^```(\w*)\s*$", line)
                if m:
                    lang, start, lines = m.group(1), n + 1, []
            elif line.startswith("```"):
                yield lang, start, lines
                lines = None
            else:
                lines.append(line)


def markdown_inline(path):
    """Commands in `code spans` of prose and tables: check_... with options."""
    fenced = False
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.startswith("```"):
                fenced = not fenced
                continue
            if fenced:
                continue
            for m in re.finditer(r"`(check_[a-z_]+ -[^`]*|vaktd -[^`]*)`", line):
                yield "", n, ["$ " + m.group(1).replace("\\|", "|")]


def man_blocks(path):
    start, lines = 0, None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line.startswith(".EX"):
                start, lines = n + 1, []
            elif line.startswith(".EE") and lines is not None:
                yield "", start, lines
                lines = None
            elif lines is not None and not line.startswith(".\\\""):
                lines.append(unroff(line))


def kind(lang, lines, sections):
    text = "\n".join(lines)
    if any(l.startswith("$ ") for l in lines):
        return "session"
    if lang == "sh":
        return "sh"
    headers = [m.group(1) for m in (re.match(r"^\[(\w+)[^\]]*\]\s*$", l) for l in lines) if m]
    if lang == "ini" or (headers and all(h in sections for h in headers)):
        return "ini"
    if re.search(r"^\s*define \w+ *\{|^cfg_file=", text, re.M):
        return "nagios"
    if re.search(r"^\s*(apply|object) \w+ \"|^include ", text, re.M):
        return "icinga"
    return "other"


def main():
    out = sys.argv[1]
    sections = set(os.environ.get("SECTIONS", "").split())
    n = 0
    for path in sys.argv[2:]:
        if path.endswith(".md"):
            blocks = list(markdown_blocks(path)) + list(markdown_inline(path))
        else:
            blocks = man_blocks(path)
        for lang, start, lines in blocks:
            n += 1
            k = kind(lang, lines, sections)
            with open(os.path.join(out, "%03d.%s" % (n, k)), "w", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
            with open(os.path.join(out, "%03d.origin" % n), "w", encoding="utf-8") as f:
                f.write("%s:%d\n" % (os.path.basename(path), start))


if __name__ == "__main__":
    main()
