#!/usr/bin/env python3
"""`holdfast policy lint|explain` as a user runs them: lint prints
file:line:col: message for each problem and exits 1, is quiet and exits 0
on clean policies, reports unreadable files; explain shows every non-blank
line's number with what it was read as, then the plan. HOLDFAST_BIN names
the binary; POLICIES_DIR the shipped policies."""
import os
import re
import subprocess
import sys
import tempfile

BIN = os.environ["HOLDFAST_BIN"]
POLICIES = os.environ["POLICIES_DIR"]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def run(*args):
    return subprocess.run([BIN, "policy", *args], capture_output=True,
                          text=True, timeout=60)


BAD = """# Retention

- Offer a 10% discount with @give_money.
- If declined, cancel per #Nowhere_policy.
- Notify the customer: "Order $order.nubmer is updated"
- Offer them a free pony.
"""

with tempfile.TemporaryDirectory() as d:
    bad = os.path.join(d, "Bad_policy.md")
    with open(bad, "w") as f:
        f.write(BAD)
    r = run("lint", bad)
    check(r.returncode == 1, "lint exits 1 on a bad policy")
    want = [
        f"{bad}:3:29: unknown tool @give_money",
        f"{bad}:4:27: unresolved reference #Nowhere_policy",
        f"{bad}:5:31: unknown context value $order.nubmer",
        f"{bad}:6:3: cannot understand this line",
    ]
    got = r.stderr.splitlines()
    check(got == want, f"lint output\n got {got}\nwant {want}")

    # A reference resolves to another file of the same directory.
    with open(os.path.join(d, "Nowhere_policy.md"), "w") as f:
        f.write("- Cancel the order.\n")
    r = run("lint", bad)
    check(not any("Nowhere_policy" in l for l in r.stderr.splitlines()),
          "a policy beside the file resolves #Nowhere_policy")

    r = run("lint", os.path.join(d, "missing.md"))
    check(r.returncode == 1 and "missing.md: No such file" in r.stderr,
          "lint reports an unreadable file")

    # explain: every non-blank line number appears at the start of a line.
    r = run("explain", bad)
    numbers = {int(m.group(1)) for m in
               re.finditer(r"^(\d+)(?::\d+)?\s", r.stdout, re.M)}
    nonblank = {i + 1 for i, l in enumerate(BAD.splitlines()) if l.strip()}
    check(nonblank <= numbers, f"explain lists lines {nonblank - numbers}")
    check("unknown" in r.stdout and "problems:" in r.stdout,
          "explain marks the line it cannot read and lists problems")

# The error kinds of round two, in a file pasted with CRLF line ends: a
# clear file:line:col each.
BAD2 = ("## Notes\r\n\r\nBe warm and brief.\r\nOffer them a free pony.\r\n"
        "\r\n## Steps\r\n\r\n- Offer a tenner off the order.\r\n"
        "- Offer 10% off, then 12.5%.\r\n- Thank them.\r\n"
        "- Otherwise, cancel the order.\r\n")
with tempfile.TemporaryDirectory() as d:
    bad = os.path.join(d, "Bad_policy.md")
    with open(bad, "w", newline="") as f:
        f.write(BAD2)
    r = run("lint", bad)
    check(r.returncode == 1, "lint exits 1 on the round-two errors")
    want = [
        f'{bad}:4:1: an instruction under "Notes" is not a step; move it '
        "to the steps",
        f"{bad}:8:11: a discount is a percentage, not an amount: tenner",
        f"{bad}:9:23: a percentage is a whole number, not 12.5",
        f"{bad}:11:3: cannot understand the condition",
    ]
    got = r.stderr.splitlines()
    check(got == want, f"lint output\n got {got}\nwant {want}")
    r = run("explain", bad)
    check(re.search(r"^3:1\s+remark", r.stdout, re.M) is not None,
          "explain shows the tone line as a remark")

shipped = sorted(os.path.join(POLICIES, f) for f in os.listdir(POLICIES)
                 if f.endswith(".md"))
r = run("lint", *shipped)
check(r.returncode == 0, f"shipped policies lint clean: {r.stderr}")
check(r.stderr.strip() == f"{len(shipped)} policies OK", "lint says N OK")

retention = os.path.join(POLICIES, "Cancellation_retention_policy.md")
r = run("explain", retention)
check(r.returncode == 0, "explain exits 0 on a clean policy")
for needle in ("discount 10% then 15% @set_discount_to_order",
               "if accepts:", "notify @send_async_message",
               "cancel per #Single_order_cancellation_policy",
               "route_agent @route_to_agent"):
    check(needle in r.stdout, f"explain shows {needle!r}")
with open(retention) as f:
    src = f.read().splitlines()
numbers = {int(m.group(1)) for m in
           re.finditer(r"^(\d+)(?::\d+)?\s", r.stdout, re.M)}
check({i + 1 for i, l in enumerate(src) if l.strip()} <= numbers,
      "explain lists every non-blank line of the retention policy")

r = run("--help")
check(r.returncode == 0 and "holdfast policy lint FILE" in r.stdout,
      "--help prints the usage")
r = run("lint")
check(r.returncode == 2, "lint without files is a usage error")

sys.exit(1 if failures else 0)
