"""Apply replace-text files to blobs with git filter-repo's own code.

The parser is filter-repo's (FilteringOptions.get_replace_text, imported
from the installed git_filter_repo module); the loop is the one in
RepoFilter._tweak_blob: every literal over the whole blob, then every
regex (Python re on bytes). Running all of filter-repo for each case would
add nothing but minutes; the end-to-end test in cmd/leakfix does that.

Usage: python3 filter_repo_model.py CASES_DIR
For every N.txt (a replace-text file) and N.blob in CASES_DIR it writes
N.fr (the filtered blob) or N.fr.err (the error).
"""
import os
import sys

import git_filter_repo as fr

cases = sys.argv[1]
for name in sorted(os.listdir(cases)):
    if not name.endswith(".txt"):
        continue
    base = os.path.join(cases, name[:-4])
    try:
        rules = fr.FilteringOptions.get_replace_text(base + ".txt")
        with open(base + ".blob", "rb") as f:
            data = f.read()
        for literal, replacement in rules["literals"]:
            data = data.replace(literal, replacement)
        for regex, replacement in rules["regexes"]:
            data = regex.sub(replacement, data)
        with open(base + ".fr", "wb") as f:
            f.write(data)
    except Exception as e:  # reported to the Go test, which fails on it
        with open(base + ".fr.err", "w") as f:
            f.write(repr(e))
