#!/usr/bin/env python3
"""readme_quickstart_test.py CC README.md -- every C block of README.md's quick-start sections
(<!-- quick start: NAME --> .. <!-- end: NAME -->) compiles against pager.h as C99 with
warnings as errors, so a quick start can never name a variable or a function that does not
exist. One test per block; prints `#result <passed> <failed>` (tests/run_cmd.sh)."""
import os
import re
import subprocess
import sys
import tempfile


def blocks(readme):
    """(section name, index, C source) of every ```c block inside a quick-start section."""
    for m in re.finditer(r"<!-- quick start: (\w+) -->(.*?)<!-- end: \1 -->", readme, re.S):
        for i, src in enumerate(re.findall(r"```c\n(.*?)```", m.group(2), re.S)):
            yield m.group(1), i, src


def main():
    cc, readme_path = sys.argv[1], sys.argv[2]
    with open(readme_path) as f:
        found = list(blocks(f.read()))
    passed = failed = 0
    if not found:
        print("no quick-start C block found in " + readme_path)
        failed += 1
    with tempfile.TemporaryDirectory() as tmp:
        for name, i, src in found:
            c = os.path.join(tmp, f"{name}{i}.c")
            with open(c, "w") as f:
                f.write(src)
            r = subprocess.run([cc, "-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror",
                                "-I.", "-c", c, "-o", os.path.join(tmp, f"{name}{i}.o")],
                               capture_output=True, text=True)
            if r.returncode == 0:
                passed += 1
                print(f"[ OK ] quick start {name} #{i} compiles")
            else:
                failed += 1
                print(f"[FAIL] quick start {name} #{i}:\n{r.stderr}")
    print(f"#result {passed} {failed}")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
