"""Words without which a rule cannot fire: the cheap test that spares most code the AST work.

A rule looks at calls of named functions, and the module or function name appears in the
text wherever it is used or imported (``import numpy as np`` holds ``numpy``; ``from os import
chmod as c`` holds ``chmod``), so a unit of code whose text has none of a rule's words is not
given to it; when no rule's words appear, the program is not even indexed. A test holds that
the gates change no finding on the labelled set and on the security suite's answers.
"""

from __future__ import annotations

import re

GATES: dict[str, re.Pattern[str]] = {
    name: re.compile(words)
    for name, words in {
        "key_sizes": r"generate|newkeys",
        "ciphers": r"Cipher|cipher|modes|Crypto|algorithms",
        "tls_versions": r"PROTOCOL_|TLSVersion",
        "hashes": r"hashlib|bcrypt|PBKDF2",
        "shell": r"system|popen|subprocess|shell|exec_command|getoutput|commands",
        "code_eval": r"eval|exec|render_template_string",
        "deserialise": r"yaml|numpy|pandas|pickle|torch|dill|shelve|joblib|jsonpickle",
        "tls": r"verify|ssl|CERT_NONE|check_hostname|unverified",
        "randomness": r"random",
        "temp_files": r"mktemp|tempnam|tmpnam|gettempdir",
        "file_modes": r"chmod|mkdir|makedirs|umask|O_CREAT|os\.open",
        "sql": r"(?i:\b(select|insert|update|delete|replace|drop|create|alter|with)\b)",
        "html": r"<\s*/?\s*[a-zA-Z]|Markup|mark_safe",
        "paths": r"open|remove|unlink|send_file|rmtree|copy|move|rename|listdir|scandir|stat|"
        r"read_text|read_bytes|write_text|write_bytes|extractall",
        "ssrf": r"requests|urlopen|httpx|aiohttp|urllib|Request|PoolManager|Session",
        "xxe": r"lxml|setFeature",
        "regexes": r"\bre\b|regex",
        "secrets": r"(?i:pass|pwd|token|secret|key|auth|credential|pin|login)|BEGIN|AKIA|"
        r"gh[pousr]_|sk-|sk_live|xox|AIza|://",
    }.items()
}
"""Per rule (by function name), the words one of which its text must hold."""


def gated_out(rule_name: str, code: str) -> bool:
    """Whether ``code`` lacks every word the rule needs (an ungated rule is never out)."""
    gate = GATES.get(rule_name)
    return gate is not None and gate.search(code) is None
