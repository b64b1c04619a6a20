#!/usr/bin/env python3
"""Prints the 87-entry cached-power table used by output/numfmt.c (Grisu2).

Entry i holds 10^p for p = -348 + 8*i as a 64-bit significand f in
[2^63, 2^64) and a binary exponent e with f * 2^e ~= 10^p, the significand
rounded to nearest. Exact big-integer arithmetic, so the table can be
re-derived and checked at any time: python3 tools/gen_grisu_table.py
"""


def cached_power(p):
    if p >= 0:
        num, den = 10 ** p, 1
    else:
        num, den = 1, 10 ** -p
    # Find e so that num/den / 2^e lies in [2^63, 2^64).
    e = num.bit_length() - den.bit_length() - 64
    while True:
        n, d = (num, den << e) if e >= 0 else (num << -e, den)
        if n >= d << 64:
            e += 1
        elif n < d << 63:
            e -= 1
        else:
            break
    q, r = divmod(n, d)
    if 2 * r >= d:  # never a tie: 10^p is not a dyadic midpoint
        q += 1
    if q == 1 << 64:
        q >>= 1
        e += 1
    return q, e


def main():
    rows = [cached_power(-348 + 8 * i) for i in range(87)]
    print("static const uint64_t grisu_pow_f[87] = {")
    for i in range(0, 87, 3):
        print("\t" + " ".join("0x%016xULL," % f for f, _ in rows[i:i + 3]))
    print("};")
    print("static const int16_t grisu_pow_e[87] = {")
    for i in range(0, 87, 10):
        print("\t" + " ".join("%d," % e for _, e in rows[i:i + 10]))
    print("};")


if __name__ == "__main__":
    main()
