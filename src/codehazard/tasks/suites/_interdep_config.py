"""The ``interdependence`` suite's configuration template: fields and the fields derived from them.

``make_config`` keeps a configuration's fields with derived ones (a URL built from scheme,
host and port; a capacity that is workers times threads) and the list of fields changed from
the defaults. Level 1: flat fields; level 2: sections, reset to the defaults; level 3: named
profiles that override the base, each with its own effective values and derived fields.
Mutants are the mistakes a model makes with derived state: a field derived on one path only,
a changed-list that never shrinks, defaults copied shallowly so that a change corrupts them,
a profile left stale when the base changes.
"""

from __future__ import annotations

import random
from typing import Any

from codehazard.tasks.suites._interdep_spec import Design, coupling, couplings, steps
from codehazard.tasks.suites._temporal_spec import (
    Mutant,
    Spec,
    Steps,
    boundary_runs,
    pick,
    random_calls,
)

CONFIG_NAMES = ("Settings", "Config", "Options", "Profile", "Setup", "Preferences", "Knobs")
HOSTS = ("localhost", "example.org", "db.internal", "api.local", "10.0.0.7", "cache.lan")


def _lines(*lines: str) -> str:
    return "".join(line + "\n" for line in lines if line)


def _defaults(level: int, rng: random.Random) -> dict[str, Any]:
    server = {
        "host": pick(rng, HOSTS),
        "port": rng.choice([80, 443, 8000, 8080, 5432]),
        "tls": rng.random() < 0.5,
    }
    if level == 1:
        return server
    return {
        "server": server,
        "pool": {"workers": rng.randrange(1, 5), "threads": rng.randrange(1, 5)},
    }


VALID = (
    "def _valid(self, key, value):\n"
    "    if key == 'host':\n"
    "        return type(value) is str and value != ''\n"
    "    if key == 'tls':\n"
    "        return type(value) is bool\n"
    "    if key == 'port':\n"
    "        return type(value) is int and 0 < value < 65536\n"
    "    return type(value) is int and value > 0\n"
)


def _derive(level: int) -> str:
    url = "f\"{'https' if s['tls'] else 'http'}://{s['host']}:{s['port']}\""
    if level == 1:
        return _lines(
            "def _derive(self, values):", "    s = values", f"    return {{'url': {url}}}"
        )
    return _lines(
        "def _derive(self, values):",
        "    s, p = values['server'], values['pool']",
        f"    return {{'url': {url}, 'capacity': p['workers'] * p['threads']}}",
    )


def _config_methods(level: int, defaults: dict[str, Any], mistake: str = "") -> dict[str, str]:
    copy = (
        "dict(self.DEFAULTS)"
        if level == 1 or mistake == "shallow-defaults"
        else ("{k: dict(v) for k, v in self.DEFAULTS.items()}")
    )
    flat = level == 1
    where = "key" if flat else "section, key"
    slot = "self._values[key]" if flat else "self._values[section][key]"
    known = (
        "key in self._values"
        if flat
        else "section in self._values and key in self._values[section]"
    )
    derive = "    self._derived = self._derive(self._values)"
    if mistake == "derived-one-path":
        derive = "    if key != 'tls':\n" + "    " + derive
    changed = "    self._changed = self._diff()"
    if mistake == "changed-grows":
        name = "key" if flat else "section + '.' + key"
        changed = "    self._changed = sorted(set(self._changed) | {" + name + "})"
    methods = {
        "__init__": _lines(
            "def __init__(self):",
            f"    self._values = {copy}",
            "    self._derived = self._derive(self._values)",
            "    self._changed = []",
            "    self._profiles = {}" if level >= 3 else "",
        ),
        "_valid": VALID,
        "_derive": _derive(level),
        "_diff": _lines(
            "def _diff(self):",
            "    d = self.DEFAULTS",
            "    return sorted(k for k in d if self._values[k] != d[k])"
            if flat
            else "    return sorted(f'{s}.{k}' for s in d for k in d[s]\n"
            "                  if self._values[s][k] != d[s][k])",
        ),
        "set": _lines(
            f"def set(self, {where}, value):",
            f"    if not ({known}) or not self._valid(key, value):",
            "        return False",
            f"    {slot} = value",
            derive,
            changed,
            "    self._refresh()" if level >= 3 and mistake != "stale-profiles" else "",
            "    return True",
        ),
        "values": _lines(
            "def values(self):",
            "    return dict(self._values)"
            if flat
            else "    return {s: dict(v) for s, v in self._values.items()}",
        ),
        "derived": _lines("def derived(self):", "    return dict(self._derived)"),
        "changed": _lines("def changed(self):", "    return list(self._changed)"),
    }
    if level >= 2:
        restore = (
            "    self._values[section] = self.DEFAULTS[section]"
            if mistake == "shallow-defaults"
            else "    self._values[section] = dict(self.DEFAULTS[section])"
        )
        methods["reset"] = _lines(
            "def reset(self, section):",
            "    if section not in self._values:",
            "        return False",
            restore,
            ""
            if mistake == "reset-skips-derived"
            else "    self._derived = self._derive(self._values)",
            "    self._changed = self._diff()",
            "    self._refresh()" if level >= 3 and mistake != "stale-profiles" else "",
            "    return True",
        )
    if level >= 3:
        methods.update(_profile_methods(mistake))
    return methods


def _profile_methods(mistake: str) -> dict[str, str]:
    merge = (
        "        merged = dict(self._values)"
        if mistake == "merge-aliases-base"
        else "        merged = {s: dict(v) for s, v in self._values.items()}"
    )
    return {
        "_refresh": _lines(
            "def _refresh(self):",
            "    for name, over in self._profiles.items():",
            merge,
            "        for (s, k), v in over['set'].items():",
            "            merged[s][k] = v",
            "        over['effective'] = merged",
            "        over['derived'] = self._derive(merged)",
        ),
        "override": _lines(
            "def override(self, profile, section, key, value):",
            "    if section not in self._values or key not in self._values[section]:",
            "        return False",
            "    if not self._valid(key, value):",
            "        return False",
            "    over = self._profiles.setdefault(profile, {'set': {}})",
            "    over['set'][(section, key)] = value",
            "    self._refresh()",
            "    return True",
        ),
        "clear": _lines(
            "def clear(self, profile):",
            "    if profile not in self._profiles:",
            "        return False",
            "    del self._profiles[profile]",
            "    return True",
        ),
        "profiles": _lines(
            "def profiles(self):",
            "    return {n: {'overrides': {f'{s}.{k}': v",
            "                              for (s, k), v in sorted(o['set'].items())},",
            "                'effective': {s: dict(v) for s, v in o['effective'].items()},",
            "                'derived': dict(o['derived'])}",
            "            for n, o in self._profiles.items()}",
        ),
    }


CONFIG_MISTAKES = {
    "derived-one-path": "set recomputes the derived fields unless the field set is tls",
    "changed-grows": "changed() lists every field ever set, even one set back to its default",
    "shallow-defaults": "the defaults are copied shallowly (and reset puts the defaults' own "
    "section back), so a change writes into the defaults",
    "reset-skips-derived": "reset restores the fields but not the derived ones",
    "stale-profiles": "set and reset change the base but leave the profiles' effective values",
    "merge-aliases-base": "a profile's effective values are a shallow copy of the base, so an "
    "override writes into the base",
}


def _config_couplings(level: int, defaults: dict[str, Any]) -> dict[str, Any]:
    url = "f\"{'https' if v['tls'] else 'http'}://{v['host']}:{v['port']}\""
    if level == 1:
        derive = f"    return {{'url': {url}}}"
        diff = f"    return sorted(k for k, d in {defaults!r}.items() if values[k] != d)"
    else:
        derive = (
            "    v, p = values['server'], values['pool']\n"
            f"    return {{'url': {url}, 'capacity': p['workers'] * p['threads']}}"
        )
        diff = (
            f"    return sorted(f'{{s}}.{{k}}' for s, sec in {defaults!r}.items()\n"
            "                  for k, d in sec.items() if values[s][k] != d)"
        )
    helpers = f"def derive(values):\n{'    v = values' + chr(10) if level == 1 else ''}{derive}\n\n"
    helpers += f"def diff(values):\n{diff}\n\n"
    rules = [
        coupling(
            "derived() is computed from values()",
            helpers
            + """def holds(s):
    want = derive(s['values'])
    if s['derived'] != want:
        return f"derived() is {s['derived']!r}; values() give {want!r}"
    return None
""",
        ),
        coupling(
            "changed() lists the fields that differ from the defaults",
            helpers
            + """def holds(s):
    want = diff(s['values'])
    if s['changed'] != want:
        return f"changed() is {s['changed']!r}; values() differ from the defaults in {want!r}"
    return None
""",
        ),
    ]
    if level >= 3:
        rules.append(
            coupling(
                "each profile's effective values are values() with its overrides",
                helpers
                + """def holds(s):
    for name, p in sorted(s['profiles'].items()):
        want = {k: dict(v) for k, v in s['values'].items()}
        for dotted, value in p['overrides'].items():
            section, key = dotted.split('.', 1)
            want[section][key] = value
        if p['effective'] != want:
            return f"profile {name!r}: effective is {p['effective']!r}; expected {want!r}"
        if p['derived'] != derive(want):
            return f"profile {name!r}: derived is {p['derived']!r}; expected {derive(want)!r}"
    return None
""",
            )
        )
    return couplings(*rules)


def _config_doc(level: int, cls: str, defaults: dict[str, Any]) -> str:
    flat = level == 1
    doc = [
        f"A configuration, `{cls}()`, that starts from the class attribute DEFAULTS = "
        f"{defaults!r} (which must never change), kept with fields derived from it.",
        "",
        "Valid values: host a non-empty str; port an int with 0 < port < 65536 (not a bool); "
        "tls a bool" + ("." if flat else "; workers and threads ints > 0 (not bools)."),
        "",
    ]
    if flat:
        doc.append(
            "- set(key, value): the field becomes value; refused (returns False, nothing "
            "changes) if there is no such field or the value is not valid for it; True if done."
        )
        doc.append("- values(): {field: value}, every field.")
        doc.append(
            "- derived(): {'url': scheme + '://' + host + ':' + str(port)}, the scheme "
            "'https' when tls is true, else 'http'."
        )
        doc.append("- changed(): the sorted names of the fields whose value differs from DEFAULTS.")
    else:
        doc += [
            "- set(section, key, value): the field becomes value; refused (returns False, "
            "nothing changes) if there is no such section or field or the value is not valid; "
            "True if done.",
            "- reset(section): the section's fields go back to their defaults; False if there "
            "is no such section, else True.",
            "- values(): {section: {field: value}}.",
            "- derived(): {'url': scheme + '://' + host + ':' + str(port), 'capacity': workers * "
            "threads}, from the server and pool sections; the scheme is 'https' when tls is "
            "true, else 'http'.",
            "- changed(): the sorted 'section.field' names of the fields whose value differs from "
            "DEFAULTS.",
        ]
    if level >= 3:
        doc += [
            "- override(profile, section, key, value): in the named profile (created on first "
            "use) the field takes value whatever the base says; refused like set; True if done.",
            "- clear(profile): drop the profile; False if there is none, else True.",
            "- profiles(): {profile: {'overrides': {'section.field': value}, 'effective': "
            "values() with the profile's overrides applied, 'derived': the derived fields of "
            "effective}}; a change of the base shows in every profile's effective values unless "
            "the profile overrides that field.",
        ]
    doc += ["", "derived() and changed() must always agree with values()."]
    return "\n".join(doc)


def _config_calls(
    level: int, rng: random.Random, server: dict[str, Any]
) -> tuple[list[tuple[str, Any]], list[Steps]]:
    """The argument values random sequences draw from, and the adversarial sequences."""
    host, port, tls = server["host"], server["port"], server["tls"]
    other = pick(rng, [h for h in HOSTS if h != host])
    values = {
        "host": [other, "", host, 7],
        "port": [port, 9000, 0, 65536, True, "80"],
        "tls": [not tls, tls, 1],
        "workers": [2, 6, 0, True],
        "threads": [3, 1, -1],
    }
    sec = {
        "host": "server",
        "port": "server",
        "tls": "server",
        "workers": "pool",
        "threads": "pool",
    }
    keys = ["host", "port", "tls"] if level == 1 else list(values)
    writes = [[k, v] if level == 1 else [sec[k], k, v] for k in keys for v in values[k]]
    writes.append(["nope", 1] if level == 1 else ["server", "nope", 1])
    choices: list[tuple[str, Any]] = [("set", writes)]
    pre = [] if level == 1 else ["server"]
    flip = [*pre, "tls", not tls]
    adversarial: list[Steps] = [
        steps(("set", flip)),
        steps(("set", [*pre, "port", 9000]), ("set", [*pre, "port", port])),
        steps(("set", [*pre, "host", other]), ("set", flip), ("set", [*pre, "tls", tls])),
        steps(
            ("set", [*pre, "port", True]), ("set", [*pre, "port", "80"]), ("set", [*pre, "port", 0])
        ),
    ]
    if level >= 2:
        choices.append(("reset", [["server"], ["pool"], ["cache"]]))
        adversarial += [
            steps(
                ("set", ["pool", "workers", 6]),
                ("reset", ["pool"]),
                ("set", ["pool", "threads", 3]),
            ),
            steps(
                ("set", flip),
                ("reset", ["server"]),
                ("set", ["server", "port", 9000]),
                ("reset", ["server"]),
            ),
        ]
    if level >= 3:
        profiles = ["dev", "prod"]
        over = [[p, *w] for p in profiles for w in rng.sample(writes[:-1], 5)]
        choices += [("override", over), ("clear", [["dev"], ["prod"], ["qa"]])]
        adversarial += [
            steps(
                ("override", ["dev", "server", "host", other]), ("set", ["server", "port", 9000])
            ),
            steps(
                ("override", ["dev", "pool", "workers", 6]),
                ("override", ["prod", "server", "tls", not tls]),
            ),
            steps(
                ("override", ["dev", "server", "port", 9000]),
                ("reset", ["server"]),
                ("clear", ["dev"]),
            ),
        ]
    adversarial += boundary_runs(choices, 3)
    return choices, adversarial


def _config_mutants(level: int, defaults: dict[str, Any]) -> list[Mutant]:
    names = ["derived-one-path", "changed-grows"]
    names += ["shallow-defaults", "reset-skips-derived"] if level >= 2 else ["bool-port"]
    names += ["stale-profiles", "merge-aliases-base"] if level >= 3 else []
    reference = _config_methods(level, defaults)
    mutants = []
    for name in names:
        if name == "bool-port":
            wrong = {
                "_valid": VALID.replace(
                    "type(value) is int and 0 <", "isinstance(value, int) and 0 <"
                )
            }
            mutants.append(Mutant(name, "port accepts a bool (isinstance(True, int) holds)", wrong))
            continue
        wrong = _config_methods(level, defaults, name)
        changed = {k: v for k, v in wrong.items() if reference.get(k) != v}
        mutants.append(Mutant(name, CONFIG_MISTAKES[name], changed))
    return mutants


def make_config(level: int, rng: random.Random) -> Design:
    """Fields with derived ones (level 2: sections, reset; level 3: profiles)."""
    cls = pick(rng, CONFIG_NAMES)
    defaults = _defaults(level, rng)
    server = defaults if level == 1 else defaults["server"]
    choices, adversarial = _config_calls(level, rng, server)
    observe = ["values", "derived", "changed"] + (["profiles"] if level >= 3 else [])
    spec = Spec(
        cls,
        _config_doc(level, cls, defaults),
        [],
        {"DEFAULTS": f"DEFAULTS = {defaults!r}\n", **_config_methods(level, defaults)},
        observe,
        "coupled",
        _config_couplings(level, defaults),
        lambda r: random_calls(r, choices, 4, 24),
        adversarial,
        _config_mutants(level, defaults),
        state_size=len(observe),
    )
    return Design(spec, depth=level)
