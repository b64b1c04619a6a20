#!/usr/bin/env python3
"""Prints proto/smtp_addr_ip_dfa.inc: two DFAs for Zeek's ip_addr_regex.

The regex is addrs.zeek's, exactly as smtplog implemented it by hand before
(the bit-set matcher kept in tests/proto/ip_match_ref.h):

  H       = [0-9A-Fa-f]{1,4}
  D       = [0-9]{1}|[0-9]{2}|0[0-9]{2}|1[0-9]{2}|2[0-4][0-9]|25[0-5]
  V4      = D\\.D\\.D\\.D
  ip      = V4
          | H(:H){7}                                  ipv6_8hex
          | (H:){6}V4                                 ipv6_hex4dec
          | H(:H){k-1}::(H(:H){0,6-k})?   k = 0..7    ipv6_compressed_hex
          | H(:H){k-1}::(H(:H){0,4-k})?V4 k = 0..5    ipv6_compressed_hex4dec
(k = 0: no hextet before the "::"; the hex4dec form has no ':' between its
last hextet and the IPv4 part, sic.)

From a Thompson NFA of that regex it builds, by subset construction over
byte classes and Moore minimisation:
  - the forward DFA, anchored: smtp_addr_ip_match runs it from a start
    offset and keeps the last accepting position (the longest match);
  - the reverse DFA of .*reverse(ip): run backwards over a text, it is in
    an accepting state after reading s[i] iff some match starts at i (and
    ends at or before where the run began).
The language is finite; its longest word gives IP_DFA_MAX_MATCH.

Standard library only; the output is deterministic. Regenerate with
  python3 tools/gen_ip_dfa.py > proto/smtp_addr_ip_dfa.inc
"""

import sys

# ---- regex AST and Thompson NFA ------------------------------------------

HEX = frozenset(b"0123456789abcdefABCDEF")
DIG = frozenset(b"0123456789")


def ch(s):
    return ("set", frozenset(s.encode()) if isinstance(s, str) else frozenset(s))


def lit(s):
    return cat(*[ch(c) for c in s])


def cat(*xs):
    return ("cat", list(xs))


def alt(*xs):
    return ("alt", list(xs))


EPS = ("cat", [])


def opt(x):
    return alt(x, EPS)


def rep(x, lo, hi):
    return cat(*([x] * lo + [opt(x)] * (hi - lo)))


class NFA:
    def __init__(self):
        self.eps = []   # state -> [state]
        self.edges = []  # state -> [(byteset, state)]

    def new(self):
        self.eps.append([])
        self.edges.append([])
        return len(self.eps) - 1

    def build(self, node):
        """Returns (start, end) of a fragment for node."""
        kind, arg = node
        if kind == "set":
            a, b = self.new(), self.new()
            self.edges[a].append((arg, b))
            return a, b
        if kind == "cat":
            a = b = self.new()
            for x in arg:
                s, e = self.build(x)
                self.eps[b].append(s)
                b = e
            return a, b
        a, b = self.new(), self.new()  # alt
        for x in arg:
            s, e = self.build(x)
            self.eps[a].append(s)
            self.eps[e].append(b)
        return a, b


def ip_regex():
    H = rep(ch(HEX), 1, 4)
    D = alt(ch(DIG), cat(ch(DIG), ch(DIG)), cat(ch("0"), ch(DIG), ch(DIG)),
            cat(ch("1"), ch(DIG), ch(DIG)), cat(ch("2"), ch("01234"), ch(DIG)),
            cat(ch("2"), ch("5"), ch("012345")))
    V4 = cat(D, ch("."), D, ch("."), D, ch("."), D)

    def more(lo, hi):  # (:H){lo,hi}
        return rep(cat(ch(":"), H), lo, hi)

    def hextets(k):  # exactly k hextets, ':'-separated
        return cat(H, more(k - 1, k - 1))

    def tail(mx):  # "::" then optionally 1..mx hextets
        dc = lit("::")
        return dc if mx < 1 else alt(dc, cat(dc, H, more(0, mx - 1)))

    forms = [V4, hextets(8), cat(rep(cat(H, ch(":")), 6, 6), V4), tail(7)]
    forms += [cat(hextets(k), tail(7 - k)) for k in range(1, 8)]
    forms += [cat(tail(5), V4)]
    forms += [cat(hextets(k), tail(5 - k), V4) for k in range(1, 6)]
    return alt(*forms)


# ---- subset construction ---------------------------------------------------

def closure(nfa, states):
    out, todo = set(states), list(states)
    while todo:
        s = todo.pop()
        for t in nfa.eps[s]:
            if t not in out:
                out.add(t)
                todo.append(t)
    return frozenset(out)


def byte_classes(nfa):
    """Bytes that no NFA edge tells apart share a class; class 0 holds the
    bytes no edge accepts (there are such bytes: ' ', for one)."""
    sets = sorted({tuple(sorted(s)) for es in nfa.edges for s, _ in es})
    sig = {b: tuple(b in s for s in sets) for b in range(256)}
    order = [sig[ord(" ")]]
    for b in range(256):
        if sig[b] not in order:
            order.append(sig[b])
    return [order.index(sig[b]) for b in range(256)], len(order)


def determinise(nfa, start, accept, cls, ncls, rep_byte, inject=None):
    """DFA over classes. inject: an NFA state set added after every step
    (the unanchored .* prefix), so no DFA state is ever empty."""
    def norm(s):
        return closure(nfa, s | inject) if inject is not None else closure(nfa, s)

    first = norm(frozenset([start]))
    index, sets, trans = {first: 0}, [first], []
    i = 0
    while i < len(sets):
        row = []
        for c in range(ncls):
            b = rep_byte[c]
            nxt = frozenset(t for s in sets[i] for bs, t in nfa.edges[s] if b in bs)
            nxt = norm(nxt)
            if nxt not in index:
                index[nxt] = len(sets)
                sets.append(nxt)
            row.append(index[nxt])
        trans.append(row)
        i += 1
    acc = [accept in s for s in sets]
    return trans, acc, sets


def minimise(trans, acc):
    """Moore refinement; returns (trans, acc) of the minimal DFA, state 0
    being the old start, numbering in breadth-first order."""
    n = len(trans)
    block = [1 if a else 0 for a in acc]
    while True:
        sigs = {}
        nb = []
        for s in range(n):
            key = (block[s],) + tuple(block[t] for t in trans[s])
            nb.append(sigs.setdefault(key, len(sigs)))
        if len(sigs) == len(set(block)):
            break
        block = nb
    # renumber breadth-first from the start
    order, seen = [block[0]], {block[0]}
    rep_state = {}
    for s in range(n):
        rep_state.setdefault(block[s], s)
    i = 0
    while i < len(order):
        for t in trans[rep_state[order[i]]]:
            if block[t] not in seen:
                seen.add(block[t])
                order.append(block[t])
        i += 1
    new = {b: k for k, b in enumerate(order)}
    mt = [[new[block[t]] for t in trans[rep_state[b]]] for b in order]
    ma = [acc[rep_state[b]] for b in order]
    return mt, ma


def renumber(trans, acc, fixed):
    """Puts the states of `fixed` first (in that order), the other
    non-accepting ones next and the accepting ones last, so that a single
    comparison tells acceptance. Returns (trans, acc, first_accept)."""
    n = len(trans)
    rest = [s for s in range(n) if s not in fixed]
    order = list(fixed) + [s for s in rest if not acc[s]] + [s for s in rest if acc[s]]
    assert all(not acc[s] for s in fixed)
    new = {s: k for k, s in enumerate(order)}
    mt = [[new[t] for t in trans[s]] for s in order]
    ma = [acc[s] for s in order]
    first = next((k for k, a in enumerate(ma) if a), n)
    assert all(ma[first:]) and not any(ma[:first])
    return mt, ma, first


def longest_word(trans, acc, start, dead):
    """Length of the longest accepted word (the DFA is acyclic apart
    from the dead state), and of the longest live prefix."""
    memo = {}

    def depth(s, stack):
        if s == dead:
            return -1
        if s in memo:
            return memo[s]
        assert s not in stack, "cycle: the language is not finite"
        stack.add(s)
        best = 0 if acc[s] else -1
        for t in trans[s]:
            d = depth(t, stack)
            if d >= 0:
                best = max(best, d + 1)
        stack.discard(s)
        memo[s] = best
        return best

    sys.setrecursionlimit(10000)
    return depth(start, set())


def merge_classes(cls, ncls, tables):
    """Merges classes whose columns are equal in every table."""
    cols = {}
    remap = []
    for c in range(ncls):
        key = tuple(tuple(row[c] for row in t) for t in tables)
        remap.append(cols.setdefault(key, len(cols)))
    n = len(cols)
    out = []
    for t in tables:
        nt = []
        for row in t:
            r = [0] * n
            for c in range(ncls):
                r[remap[c]] = row[c]
            nt.append(r)
        out.append(nt)
    return [remap[c] for c in cls], n, out


# ---- output ------------------------------------------------------------------

def c_table(name, ctype, rows):
    lines = ["static const %s %s[%d][IP_DFA_CLASSES] = {" % (ctype, name, len(rows))]
    for r in rows:
        lines.append("\t{" + ", ".join(str(x) for x in r) + "},")
    lines.append("};")
    return lines


def main():
    nfa = NFA()
    start, end = nfa.build(ip_regex())
    cls, ncls = byte_classes(nfa)
    rep_byte = [cls.index(c) for c in range(ncls)]

    # forward, anchored; state 0 dead, 1 start
    ft, fa, _ = determinise(nfa, start, end, cls, ncls, rep_byte)
    ft, fa = minimise(ft, fa)
    fdead = next(s for s in range(len(ft))
                 if not fa[s] and all(t == s for t in ft[s]))
    ft, fa, ffirst = renumber(ft, fa, [fdead, 0])
    max_match = longest_word(ft, fa, 1, 0)

    # reverse: edges turned around, the old end is the start, .* in front
    rev = NFA()
    for _ in nfa.eps:
        rev.new()
    for s in range(len(nfa.eps)):
        for t in nfa.eps[s]:
            rev.eps[t].append(s)
        for bs, t in nfa.edges[s]:
            rev.edges[t].append((bs, s))
    inject = closure(rev, [end])
    rt, ra, _ = determinise(rev, end, start, cls, ncls, rep_byte, inject=inject)
    rt, ra = minimise(rt, ra)
    rt, ra, rfirst = renumber(rt, ra, [0])

    cls, ncls, (ft, rt) = merge_classes(cls, ncls, [ft, rt])
    ftype = "uint8_t" if len(ft) <= 256 else "uint16_t"
    rtype = "uint8_t" if len(rt) <= 256 else "uint16_t"

    out = [
        "/* Generated by tools/gen_ip_dfa.py; do not edit. Regenerate with",
        " *   python3 tools/gen_ip_dfa.py > proto/smtp_addr_ip_dfa.inc",
        " * DFAs of addrs.zeek's ip_addr_regex over byte classes (see the",
        " * script's docstring); tests/proto/test_smtp_addr.c checks them",
        " * against the bit-set matcher in tests/proto/ip_match_ref.h.",
        " *",
        " * ip_fwd: anchored; 0 is the dead state, 1 the start, states >=",
        " *   IP_FWD_FIRST_ACCEPT accept.",
        " * ip_rev: .*reverse(ip_addr_regex), run from the end of a text",
        " *   backwards; 0 is the start, it never dies; after reading s[i] it",
        " *   is in a state >= IP_REV_FIRST_ACCEPT iff a match starts at i. */",
        "#define IP_DFA_CLASSES %d" % ncls,
        "#define IP_DFA_MAX_MATCH %d /* the longest match, in bytes */" % max_match,
        "#define IP_FWD_STATES %d" % len(ft),
        "#define IP_FWD_FIRST_ACCEPT %d" % ffirst,
        "#define IP_REV_STATES %d" % len(rt),
        "#define IP_REV_FIRST_ACCEPT %d" % rfirst,
        "",
        "static const uint8_t ip_dfa_class[256] = {",
    ]
    for i in range(0, 256, 16):
        out.append("\t" + " ".join("%d," % c for c in cls[i:i + 16]))
    out.append("};")
    out.append("")
    out += c_table("ip_fwd", ftype, ft)
    out.append("")
    out += c_table("ip_rev", rtype, rt)
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
