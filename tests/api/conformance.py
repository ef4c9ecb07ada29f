#!/usr/bin/env python3
"""conformance.py - a client that knows only docs/openapi.yaml.

Starts a real `holdfast serve` on a demo database (as the README says), then
drives every documented write with valid requests (statuses and response
bodies checked against the documented schemas) and with hostile ones:
malformed JSON, arrays and scalars for objects, wrong types, missing
required fields, strings over their documented length, out-of-range
numbers, unknown ids, an empty body, no or a bad API key, a role the
operation does not list, an Idempotency-Key reused with another body.
Every rejection must carry a documented status and the Error body, and
change nothing (the resources a client can list are read before and after).

Environment: HOLDFAST_BIN (the binary), OPENAPI (docs/openapi.yaml); the
server's templates, policies and intent model come from HOLDFAST_TEMPLATES,
HOLDFAST_POLICIES and HOLDFAST_INTENTS_MODEL as for the integration tests.
Exits 0 when nothing disagrees with the document, 1 otherwise (each
disagreement is printed). CONF_TRACE=1 checks each rejected write alone. Only the standard library, plus Debian's
python3-yaml to read the document.
"""
import json
import re
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import yaml

BIN = os.environ.get("HOLDFAST_BIN", "holdfast")
SPEC_PATH = os.environ.get(
    "OPENAPI",
    os.path.join(os.path.dirname(__file__), "..", "..", "docs", "openapi.yaml"))
SPEC = yaml.safe_load(open(SPEC_PATH, encoding="utf-8"))
FAILS = []
BASE = ""
KEYS = {}


def fail(what):
    FAILS.append(what)
    print("MISMATCH:", what, flush=True)


# --- the document ---------------------------------------------------------

def deref(node):
    while isinstance(node, dict) and "$ref" in node:
        ptr = node["$ref"][2:].split("/")
        node = SPEC
        for part in ptr:
            node = node[part]
    return node


def operation(method, template):
    return SPEC["paths"][template][method.lower()]


def response_schema(op, status):
    resp = op["responses"].get(str(status))
    if resp is None:
        return None
    content = deref(resp).get("content", {})
    media = content.get("application/json")
    return deref(media.get("schema")) if media else None


def request_schema(op):
    body = deref(op["requestBody"])
    return deref(body["content"]["application/json"]["schema"])


TYPES = {"object": dict, "array": list, "string": str, "boolean": bool,
         "null": type(None)}


def type_ok(name, value):
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, TYPES[name])


def validate(schema, value, where="$"):
    """Returns a list of ways VALUE breaks SCHEMA (a small JSON Schema)."""
    schema = deref(schema)
    errs = []
    if not isinstance(schema, dict):
        return errs
    for sub in schema.get("allOf", []):
        errs += validate(sub, value, where)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            alts = [validate(s, value, where) for s in schema[key]]
            if all(alts):
                errs.append("%s: matches none of %s (%s)" %
                            (where, key, min(alts, key=len)[0]))
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) \
            else [schema["type"]]
        if not any(type_ok(n, value) for n in names):
            return errs + ["%s: %r is not %s" % (where, value, names)]
    if "const" in schema and value != schema["const"]:
        errs.append("%s: %r is not %r" % (where, value, schema["const"]))
    if "enum" in schema and value not in schema["enum"]:
        errs.append("%s: %r not in %s" % (where, value, schema["enum"]))
    if isinstance(value, dict):
        for req in schema.get("required", []):
            if req not in value:
                errs.append("%s: required %s missing" % (where, req))
        props = schema.get("properties", {})
        for k, v in value.items():
            if k in props:
                errs += validate(props[k], v, where + "." + k)
            elif schema.get("additionalProperties") is False:
                errs.append("%s: undocumented field %s" % (where, k))
            elif isinstance(schema.get("additionalProperties"), dict):
                errs += validate(schema["additionalProperties"], v,
                                 where + "." + k)
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value[:50]):
            errs += validate(schema["items"], v, "%s[%d]" % (where, i))
    return errs


# --- HTTP -----------------------------------------------------------------

class Answer:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw
        try:
            self.json = json.loads(raw) if raw else None
        except ValueError:
            self.json = None

    def code(self):
        if isinstance(self.json, dict) and \
                isinstance(self.json.get("error"), dict):
            return self.json["error"].get("code")
        return None

    def field(self):
        if self.code():
            return self.json["error"].get("field")
        return None


def call(method, path, body=None, role="admin", raw=None, headers=None,
         ctype="application/json"):
    """One request as ROLE (None: no key). With CONF_TRACE=1 in the
    environment each rejected POST is checked on its own for changes (slow;
    to find which request of a batch changed something)."""
    if os.environ.get("CONF_TRACE") and method == "POST":
        settle()
        before = snapshot()
        ans = send(method, path, body, role, raw, headers, ctype)
        changed = diff(before, snapshot())
        if changed and ans.status >= 400:
            print("TRACE: %s %s -> %d changed %s" %
                  (method, path, ans.status, changed))
        return ans
    return send(method, path, body, role, raw, headers, ctype)


def send(method, path, body, role, raw, headers, ctype):
    data = raw if raw is not None else (
        None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(BASE + path, data=data, method=method)
    if role is not None:
        req.add_header("Authorization", "Bearer " + KEYS.get(role, role))
    if data is not None and ctype:
        req.add_header("Content-Type", ctype)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return Answer(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Answer(e.code, e.headers, e.read())


CODES = set(re.findall(r"`([a-z_]+)`", SPEC["components"]["schemas"][
    "Error"]["properties"]["error"]["properties"]["code"]["description"]))
# statuses any operation may answer (the document's conventions)
GENERIC = (404, 405, 409, 503)


def check(method, template, ans, expect=None, codes=None, field=None,
          what=""):
    """Checks ANS against the document's operation and what the test
    expects: a status in EXPECT, an error code in CODES, a FIELD."""
    op = operation(method, template)
    label = "%s %s %s" % (method, template, what)
    documented = op["responses"]
    st = ans.status
    if str(st) not in documented and st not in GENERIC:
        fail("%s: status %d is not documented (%s)" %
             (label, st, ans.raw[:200]))
    if expect is not None and st not in expect:
        fail("%s: status %d, expected %s (%s)" %
             (label, st, expect, ans.raw[:200]))
        return
    if st >= 400:
        errs = validate(SPEC["components"]["schemas"]["Error"], ans.json)
        if errs:
            fail("%s: error body %s: %s" % (label, ans.raw[:200], errs))
        elif ans.code() not in CODES:
            fail("%s: error code %s is not among the documented ones" %
                 (label, ans.code()))
        elif codes and ans.code() not in codes:
            fail("%s: code %s, expected %s" % (label, ans.code(), codes))
        elif field is not None and ans.field() != field:
            fail("%s: field %r, expected %r (%s)" %
                 (label, ans.field(), field, ans.raw[:200]))
        return
    schema = response_schema(op, st)
    if schema is not None:
        errs = validate(schema, ans.json)
        if errs:
            fail("%s: %d body does not match its schema: %s" %
                 (label, st, errs[:5]))


def settle():
    """Waits until the server's background work (message deliveries and
    their timeline entries, on the notify worker's 200 ms beat) is done:
    what a client sees stays the same for 0.6 s."""
    last = snapshot()
    for _ in range(50):
        time.sleep(0.6)
        now = snapshot()
        if now == last:
            return
        last = now


def snapshot():
    """What a client can see of the shop's state, to show nothing changed."""
    seen = []
    for path in ["/v1/orders?limit=200", "/v1/products?limit=200",
                 "/v1/locations", "/v1/shipments", "/v1/escalations",
                 "/v1/tasks", "/v1/experiments", "/v1/reviews",
                 "/v1/policies/versions"]:
        ans = send("GET", path, None, "admin", None, None, None)
        seen.append((path, ans.status, ans.raw))
    return seen


def diff(before, after):
    out = []
    for b, a in zip(before, after):
        if b != a:
            i = next((k for k in range(min(len(b[2]), len(a[2])))
                      if b[2][k] != a[2][k]), 0)
            out.append("%s (%r -> %r)" % (b[0], b[2][max(0, i - 300):i + 80],
                                          a[2][max(0, i - 300):i + 80]))
    return out


# --- hostile input, generated from each request schema -------------------

def roles_of(op):
    roles = op.get("x-holdfast-roles")
    if roles is None:
        fail("%s: no x-holdfast-roles" % op["operationId"])
        return ["admin", "agent", "service"]
    return roles


WRONG = {"string": 12345, "integer": "12", "number": "1.5",
         "boolean": "yes", "object": "x", "array": "x"}


def field_cases(schema, body):
    """(what, body, expected statuses, codes, field) for each property."""
    cases = []
    props = schema.get("properties", {})
    for name in schema.get("required", []):
        b = dict(body)
        b.pop(name, None)
        cases.append(("missing " + name, b, [400, 422], None, name))
    for name, sub in props.items():
        sub = deref(sub)
        if "allOf" in sub and len(sub["allOf"]) == 1:
            sub = deref(sub["allOf"][0])
        kind = sub.get("type")
        if isinstance(kind, list):
            continue
        if kind in WRONG:
            b = dict(body)
            b[name] = WRONG[kind]
            cases.append(("wrong type " + name, b, [400], ["malformed"],
                          name))
        if kind == "string" and "maxLength" in sub:
            b = dict(body)
            b[name] = "x" * (sub["maxLength"] + 1)
            cases.append(("over maxLength " + name, b, [422], ["invalid"],
                          name))
        if kind == "string" and "enum" in sub:
            b = dict(body)
            b[name] = "zz-not-a-value"
            cases.append(("not in enum " + name, b, [422], None, name))
        if kind == "integer":
            if "minimum" in sub:
                b = dict(body)
                b[name] = sub["minimum"] - 1
                cases.append(("below minimum " + name, b, [422],
                              ["invalid"], name))
            if "maximum" in sub:
                b = dict(body)
                b[name] = sub["maximum"] + 1
                cases.append(("above maximum " + name, b, [422],
                              ["invalid"], name))
            b = dict(body)
            b[name] = 2 ** 64
            cases.append(("overflowing " + name, b, [400],
                          ["malformed_json"], None))
            if "maximum" not in sub:
                b = dict(body)
                b[name] = 2 ** 63 - 1
                cases.append(("int64 max " + name, b, [422], ["invalid"],
                              name))
            b = dict(body)
            b[name] = 1.5
            cases.append(("fraction " + name, b, [400], ["malformed"],
                          name))
    return cases


def hostile(template, path, body, note=""):
    """Every bad variant of a valid BODY to PATH; none may change anything.
    The valid request itself is not sent here."""
    op = operation("POST", template)
    settle()
    before = snapshot()
    body_required = "requestBody" in op and \
        deref(op["requestBody"]).get("required", False)
    raw_cases = [("malformed JSON", b'{"a":', [400], ["malformed_json"]),
                 ("an array", b"[]", [400], ["malformed_json"]),
                 ("a number", b"42", [400], ["malformed_json"]),
                 ("a string", b'"s"', [400], ["malformed_json"]),
                 ("null", b"null", [400], ["malformed_json"]),
                 ("a repeated key", b'{"a":1,"a":2}', [400],
                  ["malformed_json"]),
                 ("a NUL in a string", b'{"a":"x\\u0000y"}', [400],
                  ["malformed_json"]),
                 ("over 1 MiB", b'{"x":"' + b"x" * (1100 * 1024) + b'"}',
                  [413], ["body_too_large"])]
    if body_required:
        raw_cases.append(("an empty body", b"", [400], ["malformed_json"]))
    for what, raw, expect, codes in raw_cases:
        ans = call("POST", path, raw=raw)
        check("POST", template, ans, expect, codes, what=what)
    if op.get("security", SPEC["security"]):
        ans = call("POST", path, body, role=None)
        check("POST", template, ans, [401], ["unauthorized"], what="no key")
        ans = call("POST", path, body, role="hf_not_a_key")
        check("POST", template, ans, [401], ["unauthorized"],
              what="bad key")
        for role in ("admin", "agent", "service"):
            if role not in roles_of(op):
                ans = call("POST", path, body, role=role)
                check("POST", template, ans, [403], ["forbidden"],
                      what="role " + role)
    if "requestBody" in op:
        schema = request_schema(op)
        for what, b, expect, codes, field in field_cases(schema, body):
            ans = call("POST", path, b)
            check("POST", template, ans, expect, codes, field, what=what)
    if "{" in template:
        bad = template
        for name in ("{id}", "{sku}", "{carrier}", "{token}"):
            bad = bad.replace(name, "zz_does_not_exist")
        ans = call("POST", bad, body)
        check("POST", template, ans, [401, 404], what="unknown id")
    after = snapshot()
    changed = diff(before, after)
    if changed:
        fail("POST %s: rejected requests changed %s" % (template, changed))


def auth_all():
    """Every operation that needs a key: none or a bad one is 401, and a
    role the operation does not list is 403 (checked before the ids, so
    made-up ones do)."""
    for template, item in SPEC["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post") or \
                    not op.get("security", SPEC["security"]):
                continue
            path = template
            for name in ("{id}", "{sku}", "{carrier}", "{token}"):
                path = path.replace(name, "zz_made_up")
            body = {} if method == "post" else None
            m = method.upper()
            for role in (None, "hf_not_a_key"):
                ans = call(m, path, body, role=role)
                check(m, template, ans, [401], ["unauthorized"],
                      what="key %s" % role)
            for role in ("admin", "agent", "service"):
                if role not in roles_of(op):
                    ans = call(m, path, body, role=role)
                    check(m, template, ans, [403], ["forbidden"],
                          what="role " + role)


def query_all():
    """Every documented query parameter given a bad value: 422 `invalid`
    naming it (the Error code list: "also for a bad query parameter")."""
    for template, item in SPEC["paths"].items():
        op = item.get("get")
        if op is None or "{" in template:
            continue
        for param in op.get("parameters", []):
            param = deref(param)
            if param["in"] != "query":
                continue
            sch = deref(param.get("schema", {}))
            bad = []
            if sch.get("type") in ("integer", "number"):
                bad.append("abc")
                if "minimum" in sch:
                    bad.append(str(sch["minimum"] - 1))
                if "maximum" in sch:
                    bad.append(str(sch["maximum"] + 1))
            if "enum" in sch:
                bad.append("zz-not-a-value")
            if sch.get("format") == "date":
                bad.append("2026-13-45")
            for value in bad:
                ans = call("GET", "%s?%s=%s" % (template, param["name"],
                                                value))
                check("GET", template, ans, [422], ["invalid"],
                      param["name"], what="%s=%s" % (param["name"], value))


def valid(method, path, template, body=None, expect=(200, 201), role="admin",
          idem=None):
    headers = {"Idempotency-Key": idem} if idem else None
    if isinstance(body, dict):
        # Documented: unknown fields are ignored and the body is read as
        # JSON whatever its Content-Type.
        body = dict(body, zz_unknown_field=1)
    ans = call(method, path, body, role=role, headers=headers,
               ctype="text/plain" if body is not None else None)
    check(method, template, ans, list(expect), what="(valid)")
    if idem and ans.status < 300:
        again = call(method, path, body, role=role, headers=headers,
                     ctype="text/plain")
        if again.status != ans.status or again.raw != ans.raw or \
                again.headers.get("Idempotent-Replayed") != "true":
            fail("%s %s: replay differs (%d %s)" %
                 (method, template, again.status, again.raw[:200]))
        other = dict(body or {})
        other["zz_other"] = 1
        again = call(method, path, other, role=role, headers=headers)
        check(method, template, again, [422], ["idempotency_key_reused"],
              what="key reused")
    return ans


# --- the server -----------------------------------------------------------

def start(tmp):
    global BASE
    db = os.path.join(tmp, "shop.db")
    subprocess.run([BIN, "demo", "--db", db, "--seed", "1", "--orders",
                    "300"], check=True, stdout=subprocess.DEVNULL)
    for role in ("admin", "agent", "service"):
        out = subprocess.run([BIN, "keys", "create", "--db", db, "--role",
                              role], check=True, capture_output=True,
                             text=True)
        KEYS[role] = out.stdout.strip()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    BASE = "http://127.0.0.1:%d" % port
    log = open(os.path.join(tmp, "server.log"), "w")
    ini = os.path.join(tmp, "holdfast.ini")
    with open(ini, "w") as f:  # no tracking sweep in the middle of a check
        f.write("[tracking]\nsweep_seconds = 3600\n")
    proc = subprocess.Popen([BIN, "serve", "--db", db, "--listen",
                             "127.0.0.1:%d" % port, "--config", ini],
                            stdout=log,
                            stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            with urllib.request.urlopen(BASE + "/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    proc.kill()
    sys.exit("conformance: the server did not answer /healthz")


def order_body(sku, email="conf@example.com", qty=1):
    return {"customer": {"email": email, "name": "Con Form"},
            "lines": [{"sku": sku, "qty": qty}],
            "shipping_address": {"name": "Con Form", "line1": "1 Main St",
                                 "city": "Springfield", "region": "IL",
                                 "postal_code": "62701", "country": "US"},
            "shipping_method": "standard",
            "payment": {"method": "card", "gateway": "manual"}}


def scenario():
    n = [0]

    def idem():
        n[0] += 1
        return "conf-%d" % n[0]

    auth_all()
    query_all()
    # the scheme's name is case-insensitive (RFC 9110 section 11.1)
    ans = call("GET", "/v1/locations", role=None,
               headers={"Authorization": "bearer " + KEYS["agent"]})
    check("GET", "/v1/locations", ans, [200], what="scheme bearer")
    for path in ("/healthz",):
        valid("GET", path, path, role=None)
    ans = call("GET", "/metrics", role=None)
    if ans.status != 200:
        fail("GET /metrics: %d" % ans.status)

    # api keys, locations, products, inventory, customers
    hostile("/v1/api-keys", "/v1/api-keys", {"role": "agent", "label": "x"})
    valid("POST", "/v1/api-keys", "/v1/api-keys",
          {"role": "agent", "label": "helpdesk"}, idem=idem())
    valid("GET", "/v1/locations", "/v1/locations")
    loc = {"code": "confdc", "name": "Conf DC", "priority": 1}
    hostile("/v1/locations", "/v1/locations", loc)
    valid("POST", "/v1/locations", "/v1/locations", loc, idem=idem())
    check("POST", "/v1/locations", call("POST", "/v1/locations", loc),
          [409], ["location_exists"], what="taken code")
    valid("GET", "/v1/products", "/v1/products")
    prod = {"sku": "CONF-1", "name": "Conformance tee", "price": 2500,
            "currency": "USD", "cost": 900, "category": "apparel"}
    hostile("/v1/products", "/v1/products", prod)
    valid("POST", "/v1/products", "/v1/products", prod, idem=idem())
    check("POST", "/v1/products", call("POST", "/v1/products", prod),
          [409], ["sku_exists"], what="taken sku")
    valid("GET", "/v1/products/CONF-1", "/v1/products/{sku}")
    check("GET", "/v1/products/{sku}", call("GET", "/v1/products/NOPE-9"),
          [404], ["not_found"], what="unknown")
    adj = {"sku": "CONF-1", "location": "main", "delta": 50,
           "reason": "received"}
    hostile("/v1/inventory/adjustments", "/v1/inventory/adjustments", adj)
    valid("POST", "/v1/inventory/adjustments", "/v1/inventory/adjustments",
          adj, idem=idem())
    valid("GET", "/v1/inventory/CONF-1", "/v1/inventory/{sku}")
    cus = {"email": "conf-cus@example.com", "name": "Cus Tomer",
           "phone": "+15551234567"}
    hostile("/v1/customers", "/v1/customers", cus)
    c = valid("POST", "/v1/customers", "/v1/customers", cus, idem=idem())
    cid = (c.json or {}).get("id", "cus_x")
    valid("GET", "/v1/customers/" + cid, "/v1/customers/{id}")
    valid("GET", "/v1/customers/%s/notifications" % cid,
          "/v1/customers/{id}/notifications")
    hostile("/v1/customers/{id}/preferences",
            "/v1/customers/%s/preferences" % cid, {"sms": False})
    valid("POST", "/v1/customers/%s/preferences" % cid,
          "/v1/customers/{id}/preferences", {"sms": False}, idem=idem())

    # orders
    valid("GET", "/v1/orders", "/v1/orders")
    hostile("/v1/orders", "/v1/orders", order_body("CONF-1"))
    orders = []
    for i in range(4):
        o = valid("POST", "/v1/orders", "/v1/orders",
                  order_body("CONF-1", "conf%d@example.com" % i),
                  expect=(201,), idem=idem())
        orders.append((o.json or {}).get("number", "HF-0"))
    check("POST", "/v1/orders", call("POST", "/v1/orders",
                                     order_body("CONF-1", qty=500)),
          [409], ["out_of_stock", "insufficient_stock"], what="no stock")
    a, b, c2, d = orders
    for sub in ("", "/events", "/risk", "/shipments"):
        valid("GET", "/v1/orders/" + a + sub, "/v1/orders/{id}" + sub,
              expect=(200, 404) if sub == "/risk" else (200,))
        check("GET", "/v1/orders/{id}" + sub,
              call("GET", "/v1/orders/HF-999999" + sub), [404],
              ["not_found"], what="unknown order")
    hostile("/v1/orders/{id}/transitions", "/v1/orders/%s/transitions" % a,
            {"to": "allocated"})
    for to in ("allocated", "picking"):
        valid("POST", "/v1/orders/%s/transitions" % a,
              "/v1/orders/{id}/transitions", {"to": to}, idem=idem())
    ship = {"carrier": "ups", "tracking_number": "1ZCONF0001",
            "service_level": "ground"}
    hostile("/v1/orders/{id}/shipments", "/v1/orders/%s/shipments" % a, ship)
    s = valid("POST", "/v1/orders/%s/shipments" % a,
              "/v1/orders/{id}/shipments", ship, expect=(201,), idem=idem())
    sid = (s.json or {}).get("id", "shp_x")
    valid("GET", "/v1/shipments", "/v1/shipments")
    valid("GET", "/v1/shipments/" + sid, "/v1/shipments/{id}")
    ev = {"status": "in_transit", "time": "2026-11-24T06:12:00Z",
          "description": "Departed facility",
          "location": {"city": "Chicago", "region": "IL", "country": "US"}}
    hostile("/v1/shipments/{id}/events", "/v1/shipments/%s/events" % sid, ev)
    valid("POST", "/v1/shipments/%s/events" % sid,
          "/v1/shipments/{id}/events", ev, idem=idem())
    cev = dict(ev, tracking_number="1ZCONF0001", time="2026-11-24T09:00:00Z")
    hostile("/v1/carriers/{carrier}/events", "/v1/carriers/ups/events", cev)
    valid("POST", "/v1/carriers/ups/events", "/v1/carriers/{carrier}/events",
          cev, idem=idem())
    cancel = {"reason": "changed_mind", "note": "found it elsewhere"}
    hostile("/v1/orders/{id}/cancel", "/v1/orders/%s/cancel" % b, cancel)
    valid("POST", "/v1/orders/%s/cancel" % b, "/v1/orders/{id}/cancel",
          cancel, idem=idem())
    check("POST", "/v1/orders/{id}/cancel",
          call("POST", "/v1/orders/%s/cancel" % a, cancel), [409],
          ["not_cancellable"], what="shipped")
    link = {"days": 30}
    hostile("/v1/orders/{id}/links", "/v1/orders/%s/links" % c2, link)
    valid("POST", "/v1/orders/%s/links" % c2, "/v1/orders/{id}/links", link,
          expect=(201,), idem=idem())
    valid("GET", "/v1/orders/%s/survey" % b, "/v1/orders/{id}/survey")
    addr = {"shipping_address": order_body("X")["shipping_address"]}
    hostile("/v1/orders/{id}/shipping-address",
            "/v1/orders/%s/shipping-address" % c2, addr)
    t = valid("POST", "/v1/orders/%s/links" % c2, "/v1/orders/{id}/links",
              {"purpose": "address"}, expect=(201,))
    token = (t.json or {}).get("token", "x")
    hostile("/v1/orders/{id}/address",
            "/v1/orders/%s/address?t=%s" % (c2, token), addr)
    sv = valid("GET", "/v1/orders/%s/survey" % b, "/v1/orders/{id}/survey")
    stoken = (sv.json or {}).get("token", "x")
    valid("GET", "/v1/surveys/" + stoken, "/v1/surveys/{token}", role=None)
    answer = {"reason": "shipping_delay", "improve": "Faster shipping.",
              "service_rating": 4, "recommend": True}
    hostile("/v1/surveys/{token}", "/v1/surveys/" + stoken, answer)
    valid("POST", "/v1/surveys/" + stoken, "/v1/surveys/{token}", answer,
          expect=(201,), role=None)
    valid("GET", "/v1/surveys/" + stoken, "/v1/surveys/{token}", role=None)

    # retention
    conv = {"order": c2, "channel": "chat"}
    hostile("/v1/conversations", "/v1/conversations", conv)
    cv = valid("POST", "/v1/conversations", "/v1/conversations", conv,
               expect=(201,), idem=idem())
    cvid = (cv.json or {}).get("id", "cnv_x")
    valid("GET", "/v1/conversations/" + cvid, "/v1/conversations/{id}")
    msg = {"text": "I want to cancel my order"}
    hostile("/v1/conversations/{id}/messages",
            "/v1/conversations/%s/messages" % cvid, msg)
    valid("POST", "/v1/conversations/%s/messages" % cvid,
          "/v1/conversations/{id}/messages", msg, idem=idem())
    cr = {"reason": "shipping_delay", "note": "it takes too long"}
    hostile("/v1/orders/{id}/cancellation-requests",
            "/v1/orders/%s/cancellation-requests" % d, cr)
    r = valid("POST", "/v1/orders/%s/cancellation-requests" % d,
              "/v1/orders/{id}/cancellation-requests", cr, expect=(201,),
              idem=idem())
    rid = (r.json or {}).get("id", "cnv_x")
    valid("GET", "/v1/cancellation-requests/" + rid,
          "/v1/cancellation-requests/{id}")
    hostile("/v1/cancellation-requests/{id}/decision",
            "/v1/cancellation-requests/%s/decision" % rid, {"decline": True})
    valid("POST", "/v1/cancellation-requests/%s/decision" % rid,
          "/v1/cancellation-requests/{id}/decision", {"decline": True},
          idem=idem())
    for path in ("/v1/reviews", "/v1/escalations", "/v1/tasks",
                 "/v1/kpis", "/v1/kpis/drivers", "/v1/inventory/outlook",
                 "/v1/risk/orders", "/v1/policies", "/v1/policies/versions",
                 "/v1/experiments"):
        valid("GET", path, path)

    # the agent queue: a customer who asks for a person is escalated
    o = valid("POST", "/v1/orders", "/v1/orders",
              order_body("CONF-1", "conf-esc@example.com"), expect=(201,))
    cv = valid("POST", "/v1/conversations", "/v1/conversations",
               {"order": (o.json or {}).get("number"), "channel": "chat"},
               expect=(201,))
    valid("POST", "/v1/conversations/%s/messages" % (cv.json or {}).get("id"),
          "/v1/conversations/{id}/messages",
          {"text": "I want to speak to a human agent please"})
    # a review: the same customer ordering the same lines again is held
    valid("POST", "/v1/orders", "/v1/orders",
          order_body("CONF-1", "conf-esc@example.com"), expect=(201,))
    esc = (call("GET", "/v1/escalations").json or {}).get("escalations") or []
    if esc:
        eid = esc[0]["id"]
        hostile("/v1/escalations/{id}/replies",
                "/v1/escalations/%s/replies" % eid, {"text": "It ships today."})
        hostile("/v1/escalations/{id}/offers",
                "/v1/escalations/%s/offers" % eid,
                {"kind": "discount", "percent": 15})
        hostile("/v1/escalations/{id}/close",
                "/v1/escalations/%s/close" % eid, {"resolution": "kept"})
    else:
        fail("the demo shop has no escalation to try")
    tasks = (call("GET", "/v1/tasks").json or {}).get("tasks") or []
    if tasks:
        hostile("/v1/tasks/{id}/done", "/v1/tasks/%s/done" % tasks[0]["id"],
                {"note": "called"})
    reviews = (call("GET", "/v1/reviews").json or {}).get("reviews") or []
    if not reviews:
        fail("no order was held for review")
    else:
        hostile("/v1/reviews/{id}/decision",
                "/v1/reviews/%s/decision" % reviews[0]["id"],
                {"approve": True, "note": "ok"})

    # policies and experiments
    text = open(os.path.join(os.environ.get("HOLDFAST_POLICIES", "policies"),
                             "Cancellation_retention_policy.md")).read()
    pol = {"name": "Cancellation_retention_policy", "text": text}
    hostile("/v1/policies/lint", "/v1/policies/lint", pol)
    valid("POST", "/v1/policies/lint", "/v1/policies/lint", pol)
    hostile("/v1/policies/test", "/v1/policies/test",
            dict(pol, order=c2, messages=["I want to cancel my order"]))
    valid("POST", "/v1/policies/test", "/v1/policies/test",
          dict(pol, order=c2, messages=["I want to cancel my order"]))
    hostile("/v1/policies/publish", "/v1/policies/publish", pol)
    exp = {"name": "conf", "arms": [
        {"name": "plain", "policy": "Cancellation_retention_policy",
         "weight": 1}, {"name": "holdout", "holdout": True, "weight": 1}]}
    hostile("/v1/experiments", "/v1/experiments", exp)
    e = valid("POST", "/v1/experiments", "/v1/experiments", exp,
              expect=(201,), idem=idem())
    eid = (e.json or {}).get("id", "exp_x")
    valid("GET", "/v1/experiments/" + eid, "/v1/experiments/{id}")
    valid("GET", "/v1/experiments/%s/results" % eid,
          "/v1/experiments/{id}/results")
    valid("POST", "/v1/experiments/%s/stop" % eid, "/v1/experiments/{id}/stop")
    # method not allowed, unknown route
    check("GET", "/v1/orders", call("DELETE", "/v1/orders"), [405],
          ["method_not_allowed"], what="DELETE")
    ans = call("GET", "/v1/nope")
    if ans.status != 404 or ans.code() != "not_found":
        fail("GET /v1/nope: %d %s" % (ans.status, ans.raw[:100]))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        proc = start(tmp)
        try:
            scenario()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print("conformance: %d mismatches" % len(FAILS))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
