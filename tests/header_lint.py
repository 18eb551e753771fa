#!/usr/bin/env python3
"""header_lint.py -- mechanical checks of pager.h's conventions (C4..C12 in its top comment).

Usage:
  tests/header_lint.py [--header pager.h] [--impl impl]   lint the header (and impl/)
  tests/header_lint.py --self-test                        prove every rule fires on a bad snippet
  tests/header_lint.py --all                              both (what `make test` runs)

Rules (doc/abi.md, "Header lint"):
  size-t        no size_t in a function signature, callback typedef or struct field
  len-type      a length/count parameter or field is uint32_t or uint64_t (not int, long, ...)
  len-after-ptr a length/count (len, *_len, count, *_count, capacity, *_bytes) that describes a
                buffer comes right after its pointer: `(uint64_t count, uint64_t *ids)` -- a
                length not preceded by a buffer pointer but followed by one -- is flagged, in
                parameter lists, callback typedefs and struct fields
  options-init  every pager_X_options_init is `void pager_X_options_init(pager_X_options *opts)`
  init-void     every other pager_*_init (result structs) returns void and takes one pointer
  struct-size   every non-opaque typedef struct starts with `uint32_t struct_size`, except the
                array element types in STRUCT_SIZE_ALLOWLIST
  contract      every declared function has a contract comment directly above it (or above the
                group of declarations it belongs to) that mentions "Errors"
  impl-calls    no pager_* function declared in pager.h is called from impl/

Each violation is printed as `<file>:<line>: [rule] message`. The last line is
`#result <passed> <failed>` (one test per rule; with --all also one per self-test case), read by
tests/run_cmd.sh. Exit status 1 if anything failed. Python 3 standard library only.
"""
import argparse
import bisect
import os
import re
import sys
import tempfile

# Array element types: their size is the stride of an array the caller passes, so they can
# never grow (a new layout is a new type). Each entry says why.
STRUCT_SIZE_ALLOWLIST = {
    "pager_cold_chunk": "element of the chunks array of pager_cold_pageout*",
    "pager_cold_owned_chunk": "element of the chunks array of pager_cold_pageout_owned",
    "pager_cold_range": "element of the ranges array of pager_cold_read_at_many",
    "pager_logical_seq": "element of the seqs array of pager_cache_ops.install_logical_seqs",
    "pager_page_segment": "element of the segments_out array of pager_cache_ops.page_buffers",
    "pager_walseg_record": "record view filled per record; arrays of it are the caller's "
                           "stride (a new layout is a new type)",
}

MACROS = ("PAGER_API", "PAGER_NOEXCEPT", "PAGER_EXTERN_C_BEGIN", "PAGER_EXTERN_C_END")
LEN_NAME = re.compile(r"^(len|count|capacity|\w+_len|\w+_count|\w+_bytes)$")
SCALAR_BASE = re.compile(r"^(const\s+)?(void|char|unsigned char|signed char|u?int(8|16|32|64)_t)"
                         r"(\s+const)?$")
CTX_NAME = re.compile(r"^(ctx|\w+_ctx)$")
RULES = ("size-t", "len-type", "len-after-ptr", "options-init", "init-void", "struct-size",
         "contract", "impl-calls")


class Violation:
    def __init__(self, path, line, rule, msg):
        self.path, self.line, self.rule, self.msg = path, line, rule, msg

    def __str__(self):
        return f"{self.path}:{self.line}: [{self.rule}] {self.msg}"


# ---- lexing: comments out, line numbers kept ------------------------------------------------

def strip_comments(text):
    """Returns (code, comments): code has every comment and string literal blanked (newlines
    kept, so offsets and lines stay valid); comments is a list of (start_off, end_off, text)."""
    out, comments, i, n = list(text), [], 0, len(text)
    while i < n:
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            comments.append((i, j, text[i:j]))
            for k in range(i, j):
                if out[k] != "\n":
                    out[k] = " "
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            comments.append((i, j, text[i:j]))
            for k in range(i, j):
                out[k] = " "
            i = j
        elif text[i] in "\"'":
            q, j = text[i], i + 1
            while j < n and text[j] != q and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            for k in range(i + 1, min(j, n)):
                out[k] = " "
            i = j + 1
        else:
            i += 1
    return "".join(out), comments


def blank_preprocessor(code):
    lines = code.split("\n")
    cont = False
    for i, line in enumerate(lines):
        if cont or line.lstrip().startswith("#"):
            cont = line.rstrip().endswith("\\")
            lines[i] = " " * len(line)
    return "\n".join(lines)


class Source:
    def __init__(self, path, text):
        self.path, self.text = path, text
        self.code, self.comments = strip_comments(text)
        self.code = blank_preprocessor(self.code)
        for m in MACROS:
            self.code = re.sub(r"\b%s\b" % m, " " * len(m), self.code)
        self.newlines = [i for i, c in enumerate(text) if c == "\n"]

    def line_of(self, off):
        return bisect.bisect_left(self.newlines, off) + 1


# ---- parsing ---------------------------------------------------------------------------------

def split_top(s, base, sep, opens="({[", closes=")}]"):
    """Splits s at sep outside brackets; yields (offset_in_file, piece)."""
    depth, start = 0, 0
    for i, c in enumerate(s):
        if c in opens:
            depth += 1
        elif c in closes:
            depth -= 1
        elif c == sep and depth == 0:
            yield base + start, s[start:i]
            start = i + 1
    yield base + start, s[start:]


def lstrip_off(off, s):
    k = len(s) - len(s.lstrip())
    return off + k, s.strip()


class Param:
    """One parameter or struct field: its type text, name, pointer depth, and nested
    parameter list when it is a function pointer."""

    def __init__(self, off, text):
        self.off, self.text = off, " ".join(text.split())
        self.fn_params = None
        m = re.match(r"^(.*?)\(\s*\*\s*(\w+)\s*\)\s*\((.*)\)$", self.text, re.S)
        if m:
            self.type, self.name, self.ptr = m.group(1).strip() + " (*)", m.group(2), 1
            inner_off = off + text.find("(", text.find(m.group(2))) + 1
            self.fn_params = parse_params(inner_off, text[text.find("(", text.find(
                m.group(2))) + 1:text.rfind(")")])
            self.base = ""
            return
        m = re.match(r"^(.*?)(\w+)\s*(\[[^\]]*\])?$", self.text)
        body, self.name = (m.group(1), m.group(2)) if m else (self.text, "")
        if not body.strip() or body.strip() in ("const", "struct"):
            # an unnamed parameter ("void", "uint32_t"): the type is the whole text
            body, self.name = self.text, ""
        self.ptr = body.count("*")
        self.type = body.strip()
        self.base = body.replace("*", " ").strip()
        self.base = " ".join(self.base.split())

    def is_len(self):
        return self.ptr == 0 and self.fn_params is None and bool(LEN_NAME.match(self.name))

    def is_buffer(self, elem_types):
        """A pointer to bytes or to array elements (not a handle, an options struct or ctx)."""
        if self.ptr != 1 or self.fn_params is not None or CTX_NAME.match(self.name):
            return False
        base = re.sub(r"\bconst\b", "", self.base).strip()
        return bool(SCALAR_BASE.match(base)) or base in elem_types


def parse_params(off, s):
    if not s.strip() or s.strip() == "void":
        return []
    return [Param(*lstrip_off(o, p)) for o, p in split_top(s, off, ",")]


class Decl:
    def __init__(self, kind, name, off, end, **kw):
        self.kind, self.name, self.off, self.end = kind, name, off, end
        self.__dict__.update(kw)


def parse_header(src):
    decls = []
    for off, stmt in split_top(src.code, 0, ";", opens="{", closes="}"):
        off, s = lstrip_off(off, stmt)
        if not s:
            continue
        end = off + len(s)
        flat = " ".join(s.split())
        m = re.match(r"^typedef struct (\w+) (\w+)$", flat)
        if m:
            decls.append(Decl("opaque", m.group(2), off, end))
            continue
        m = re.match(r"^typedef struct (\w+)?\s*\{(.*)\}\s*(\w+)$", s, re.S)
        if m:
            body_off = off + s.index("{") + 1
            fields = [Param(*lstrip_off(o, f)) for o, f in
                      split_top(m.group(2), body_off, ";") if f.strip()]
            decls.append(Decl("struct", m.group(3), off, end, fields=fields))
            continue
        m = re.match(r"^typedef (.*?)\(\s*\*\s*(\w+)\s*\)\s*\((.*)\)$", s, re.S)
        if m:
            p_off = off + s.index("(", s.index(m.group(2))) + 1
            decls.append(Decl("callback", m.group(2), off, end, ret=m.group(1).strip(),
                              params=parse_params(p_off, m.group(3))))
            continue
        m = re.match(r"^([^()]*?)\b(pager_\w+)\s*\((.*)\)$", s, re.S)
        if m:
            p_off = off + s.index("(") + 1
            decls.append(Decl("function", m.group(2), off, end,
                              ret=" ".join(m.group(1).split()),
                              params=parse_params(p_off, m.group(3))))
    return decls


# ---- rules -----------------------------------------------------------------------------------

def check_list(src, owner, items, elem_types, what, out):
    """size-t, len-type and len-after-ptr over one parameter or field list."""
    for i, p in enumerate(items):
        line = src.line_of(p.off)
        if re.search(r"\bsize_t\b", p.type):
            out.append(Violation(src.path, line, "size-t",
                                 f"{owner}: {what} '{p.name}' is size_t (use uint64_t, C12)"))
        elif p.is_len() and not re.match(r"^(const )?uint(32|64)_t$", p.type):
            out.append(Violation(src.path, line, "len-type",
                                 f"{owner}: {what} '{p.name}' is '{p.type}' (use uint64_t or "
                                 "uint32_t, C12)"))
        if p.is_len():
            prev_buf = i > 0 and items[i - 1].is_buffer(elem_types)
            next_buf = i + 1 < len(items) and items[i + 1].is_buffer(elem_types)
            if not prev_buf and next_buf:
                out.append(Violation(src.path, line, "len-after-ptr",
                                     f"{owner}: {what} '{p.name}' comes before its pointer "
                                     f"'{items[i + 1].name}' (pointer first, then its length: C6)"))
        if p.fn_params is not None:
            check_list(src, f"{owner}.{p.name}", p.fn_params, elem_types, "parameter", out)


def rule_signatures(src, decls, out):
    elem_types = set(STRUCT_SIZE_ALLOWLIST)
    for d in decls:
        if d.kind in ("function", "callback"):
            if re.search(r"\bsize_t\b", d.ret):
                out.append(Violation(src.path, src.line_of(d.off), "size-t",
                                     f"{d.name}: returns size_t (use uint64_t, C12)"))
            check_list(src, d.name, d.params, elem_types, "parameter", out)
        elif d.kind == "struct":
            check_list(src, d.name, d.fields, elem_types, "field", out)


def rule_init(src, decls, out):
    for d in decls:
        if d.kind != "function" or not d.name.endswith("_init"):
            continue
        line = src.line_of(d.off)
        sig = f"{d.ret} {d.name}({', '.join(p.text for p in d.params)})"
        m = re.match(r"^(pager_\w+_options)_init$", d.name)
        if m:
            want = f"void {d.name}({m.group(1)} *opts)"
            if sig != want:
                out.append(Violation(src.path, line, "options-init",
                                     f"{d.name} is `{sig}`; the one shape is `{want}` (C8)"))
        elif d.ret != "void" or len(d.params) != 1 or d.params[0].ptr != 1:
            out.append(Violation(src.path, line, "init-void",
                                 f"{d.name} is `{sig}`; an init function is "
                                 "`void pager_X_init(T *)` (C1, C8)"))


def rule_struct_size(src, decls, out):
    for d in decls:
        if d.kind != "struct" or d.name in STRUCT_SIZE_ALLOWLIST:
            continue
        first = d.fields[0] if d.fields else None
        if not first or first.type != "uint32_t" or first.name != "struct_size":
            got = f"'{first.text}'" if first else "nothing"
            out.append(Violation(src.path, src.line_of(d.off), "struct-size",
                                 f"struct {d.name} starts with {got}, not `uint32_t struct_size` "
                                 "(C8; an array element type belongs in STRUCT_SIZE_ALLOWLIST "
                                 "with a reason)"))


def rule_contract(src, decls, out):
    functions = [d for d in decls if d.kind == "function"]
    lines = src.text.split("\n")
    comment_by_end = {src.line_of(c[1] - 1): c for c in src.comments}
    decl_by_end = {src.line_of(d.end): d for d in functions}
    for d in functions:
        line = src.line_of(d.off) - 1  # the line above the declaration
        while line in decl_by_end and line not in comment_by_end:
            line = src.line_of(decl_by_end[line].off) - 1  # part of a group: look above it
        c = comment_by_end.get(line)
        # the comment must end its line (not a trailing comment of code on that line)
        if c is None or lines[line - 1].strip() == "" or \
                src.code[src.newlines[line - 2] + 1 if line > 1 else 0:c[0]].strip():
            out.append(Violation(src.path, src.line_of(d.off), "contract",
                                 f"{d.name} has no contract comment directly above it"))
        elif "Errors" not in c[2]:
            out.append(Violation(src.path, src.line_of(d.off), "contract",
                                 f"{d.name}: its contract comment (line {src.line_of(c[0])}) "
                                 "does not list its Errors"))


def rule_impl_calls(names, impl_dir, out):
    if not names or not os.path.isdir(impl_dir):
        return
    call = re.compile(r"\b(%s)\s*\(" % "|".join(sorted(names, key=len, reverse=True)))
    for root, _, files in sorted(os.walk(impl_dir)):
        for f in sorted(files):
            if not f.endswith((".cc", ".h", ".cpp", ".hpp", ".c")):
                continue
            path = os.path.join(root, f)
            with open(path, encoding="utf-8", errors="replace") as fh:
                src = Source(path, fh.read())
            for m in call.finditer(src.code):
                out.append(Violation(path, src.line_of(m.start()), "impl-calls",
                                     f"impl/ calls the C API function {m.group(1)} (the core "
                                     "never calls pager_*: use the C++ API)"))


def lint(header_path, impl_dir, text=None):
    if text is None:
        with open(header_path, encoding="utf-8") as fh:
            text = fh.read()
    src = Source(header_path, text)
    decls = parse_header(src)
    out = []
    rule_signatures(src, decls, out)
    rule_init(src, decls, out)
    rule_struct_size(src, decls, out)
    rule_contract(src, decls, out)
    if impl_dir:
        rule_impl_calls({d.name for d in decls if d.kind == "function"}, impl_dir, out)
    return sorted(out, key=lambda v: (v.path != header_path, v.path, v.line, v.rule)), decls


# ---- self-test -------------------------------------------------------------------------------

GOOD = """
typedef struct pager_x pager_x;
typedef struct pager_x_options {
  uint32_t struct_size;
  const uint16_t *types; /* pointer first */
  uint64_t type_count;
} pager_x_options;
typedef struct pager_cold_range { uint64_t offset; uint64_t len; } pager_cold_range;
typedef int (*pager_x_fn)(void *ctx, const void *buf, uint64_t buf_len);
/* pager_x_options_init -- defaults. Errors: none. */
PAGER_API void pager_x_options_init(pager_x_options *opts) PAGER_NOEXCEPT;
/*
 * pager_x_read / pager_x_grow -- a group. Errors: PAGER_ERR_INVALID.
 */
PAGER_API int pager_x_read(pager_x *h, uint64_t offset, void *dst,
                           uint64_t dst_len) PAGER_NOEXCEPT;
PAGER_API int pager_x_grow(pager_x *h, uint64_t page_count) PAGER_NOEXCEPT;
/* pager_x_ids -- Errors: INVALID. */
PAGER_API int pager_x_ids(pager_x *h, uint64_t *ids_out, uint64_t count) PAGER_NOEXCEPT;
/* pager_x_seq -- Errors: INVALID. */
PAGER_API int pager_x_seq(pager_x *h, const char *id, uint32_t id_bytes, const uint32_t *pages,
                          uint64_t page_count) PAGER_NOEXCEPT;
/* pager_x_ranges -- Errors: INVALID. */
PAGER_API int pager_x_ranges(pager_x *h, const pager_cold_range *ranges, uint64_t count,
                             void *dst, uint64_t dst_len) PAGER_NOEXCEPT;
"""

# (rule, snippet): each snippet must make exactly that rule fire (and may make no other).
BAD = [
    ("size-t", "/* f -- Errors: none. */\nPAGER_API int pager_x_f(void *buf, size_t len);"),
    ("size-t", "typedef void (*pager_x_free_fn)(void *ctx, void *data, size_t n);"),
    ("size-t", "typedef struct pager_x_s { uint32_t struct_size; size_t n; } pager_x_s;"),
    ("len-type", "/* f -- Errors: none. */\nPAGER_API int pager_x_f(void *buf, int buf_len);"),
    ("len-after-ptr", "/* f -- Errors: none. */\n"
                      "PAGER_API int pager_x_f(pager_x *h, uint64_t count, uint64_t *ids);"),
    ("len-after-ptr", "/* f -- Errors: none. */\nPAGER_API int pager_x_f(pager_x *h, "
                      "uint64_t offset, uint64_t len, void *dst) PAGER_NOEXCEPT;"),
    ("len-after-ptr", "typedef struct pager_x_o { uint32_t struct_size; uint32_t type_count;\n"
                      "  const uint16_t *types; } pager_x_o;"),
    ("len-after-ptr", "typedef struct pager_x_ops { uint32_t struct_size;\n"
                      "  int (*alloc)(void *ctx, uint64_t count, uint32_t *slots); } pager_x_ops;"),
    ("options-init", "/* i -- Errors: INVALID. */\n"
                     "PAGER_API int pager_x_options_init(pager_x_options *opts);"),
    ("options-init", "/* i -- Errors: none. */\n"
                     "PAGER_API void pager_x_options_init(pager_y_options *o);"),
    ("init-void", "/* i -- Errors: INVALID. */\nPAGER_API int pager_x_info_init(pager_x_info *i);"),
    ("struct-size", "typedef struct pager_x_stats { uint64_t hits; } pager_x_stats;"),
    ("struct-size", "typedef struct pager_x_s { uint64_t struct_size; } pager_x_s;"),
    ("contract", "PAGER_API int pager_x_f(pager_x *h) PAGER_NOEXCEPT;"),
    ("contract", "/* pager_x_f -- frees. NULL-safe. */\nPAGER_API void pager_x_f(pager_x *h);"),
    ("contract", "/* f -- Errors: none. */\n\nPAGER_API void pager_x_f(pager_x *h);"),
    ("impl-calls", None),
]


def self_test(verbose=True):
    passed = failed = 0

    def report(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
        if verbose or not ok:
            print(f"self-test {'ok  ' if ok else 'FAIL'} {what}")

    got, decls = lint("good.h", None, GOOD)
    report(not got and len([d for d in decls if d.kind == "function"]) == 6,
           "clean snippet: no violation" + "".join(f"\n    {v}" for v in got))
    for rule, snippet in BAD:
        if rule == "impl-calls":
            with tempfile.TemporaryDirectory() as d:
                with open(os.path.join(d, "x.cc"), "w") as fh:
                    fh.write("// pager_x_read( in a comment is fine\n"
                             "int f() { const char *s = \"pager_x_read(\"; return 0; }\n"
                             "int g(pager_x *h) { return pager_x_read(h, 0, 0, 0); }\n")
                got, _ = lint("good.h", d, GOOD)
            ok = [v.rule for v in got] == ["impl-calls"] and got[0].line == 3
            report(ok, f"impl-calls fires once, on line 3: {[str(v) for v in got]}")
            continue
        got, _ = lint("bad.h", None, "typedef struct pager_x pager_x;\n" + snippet)
        rules = {v.rule for v in got}
        ok = rules == {rule}
        report(ok, f"{rule} fires on {snippet!r}: " + "; ".join(str(v) for v in got))
    return passed, failed


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--header", default=os.path.join(root, "pager.h"))
    ap.add_argument("--impl", default=os.path.join(root, "impl"))
    ap.add_argument("--self-test", action="store_true", help="only the self-test")
    ap.add_argument("--all", action="store_true", help="the self-test, then the lint")
    args = ap.parse_args()
    passed = failed = 0
    if args.self_test or args.all:
        passed, failed = self_test(verbose=args.self_test)
        print(f"self-test: {passed} cases passed, {failed} failed")
    if not args.self_test:
        violations, decls = lint(os.path.relpath(args.header), os.path.relpath(args.impl))
        for v in violations:
            print(v)
        by_rule = {v.rule for v in violations}
        for r in RULES:
            if r in by_rule:
                failed += 1
            else:
                passed += 1
        n = len([d for d in decls if d.kind == "function"])
        print(f"header lint: {n} functions, {len(violations)} violations "
              f"({', '.join(sorted(by_rule)) or 'none'})")
    print(f"#result {passed} {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
