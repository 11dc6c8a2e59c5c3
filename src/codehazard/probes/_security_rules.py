"""Our own rules, part one: cryptography, injection, deserialisation, TLS, randomness, temp
files and file modes.

These cover what bandit misses or gets wrong (``docs/probes.md``, "Security"): a key size or a
cipher mode passed through a variable or a keyword argument, a shell command that is built
from input (bandit also reports constant commands), ``eval`` of input (bandit also reports
``eval("1 + 2")``), ``verify=False`` set on a session, ``random`` used for a token (bandit
reports every use of ``random``, a dice game's included), a KDF with too few iterations.
Each rule is a function of the program's ``Index`` yielding ``Hit`` objects.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from codehazard.probes._findings import Level
from codehazard.probes._security_ast import Index, argument, keyword, name_tokens


@dataclass(frozen=True)
class Hit:
    """One rule match before it becomes a ``Finding`` (line and snippet come from ``node``)."""

    rule: str
    cwe: str
    message: str
    node: ast.AST
    severity: Level = "medium"
    confidence: Level = "medium"


Rule = Callable[[Index], Iterator[Hit]]
MIN_RSA_BITS = 2048
MIN_EC_BITS = 224
MIN_PBKDF2_ITERATIONS = 100_000
"""OWASP's floor is 600,000 for PBKDF2-HMAC-SHA256; below 100,000 is weak by any account."""
_RSA_GENERATORS = {
    "cryptography.hazmat.primitives.asymmetric.rsa.generate_private_key": (1, "key_size"),
    "cryptography.hazmat.primitives.asymmetric.dsa.generate_private_key": (0, "key_size"),
    "Crypto.PublicKey.RSA.generate": (0, "bits"),
    "Crypto.PublicKey.DSA.generate": (0, "bits"),
    "Cryptodome.PublicKey.RSA.generate": (0, "bits"),
    "rsa.newkeys": (0, "nbits"),
    "OpenSSL.crypto.PKey().generate_key": (1, "bits"),
}
_WEAK_CURVES = {"SECP192R1", "SECT163K1", "SECT163R2", "SECP160R1", "SECT233K1", "SECT233R1"}
_WEAK_ALGORITHMS = {
    "TripleDES", "Blowfish", "ARC4", "IDEA", "CAST5", "SEED", "DES", "DES3", "ARC2", "RC4", "XOR",
}  # fmt: skip
_CIPHER_ROOTS = ("Crypto.Cipher.", "Cryptodome.Cipher.", "cryptography.hazmat.primitives.ciphers")
_SHELL_CALLS = {
    "os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput",
    "commands.getoutput", "asyncio.create_subprocess_shell", "os.popen2", "os.popen3",
}  # fmt: skip
_SUBPROCESS = {
    "subprocess.run",
    "subprocess.call",
    "subprocess.check_call",
    "subprocess.check_output",
    "subprocess.Popen",
}
_SHELL_SAFE = {"shlex.quote", "pipes.quote", "quote", "shlex.join"}
_PASSWORD_WORDS = {"password", "passwd", "pwd", "passphrase", "pass", "pw"}
_SECRET_WORDS = _PASSWORD_WORDS | {
    "token", "secret", "salt", "nonce", "otp", "csrf", "xsrf", "apikey", "credential",
    "credentials", "signature", "pin", "iv", "reset", "verification", "activation",
    "confirmation", "invite", "session", "auth", "sid", "captcha", "keygen",
}  # fmt: skip
_STORED_WORDS = _PASSWORD_WORDS | {
    "token", "secret", "apikey", "credential", "credentials", "auth", "pin", "passcode",
}  # fmt: skip
_KEY_PARTNERS = {
    "api",
    "secret",
    "encryption",
    "private",
    "signing",
    "aes",
    "hmac",
    "crypto",
    "session",
    "access",
    "license",
    "master",
}
_RANDOM_FUNCS = {
    "random",
    "randint",
    "choice",
    "choices",
    "sample",
    "getrandbits",
    "randrange",
    "shuffle",
    "randbytes",
    "uniform",
}


def secret_like(name: str, *, stored: bool = False) -> bool:
    """Whether an identifier names a secret: ``reset_token``, ``apiKey``, ``password``,
    ``key`` alone; not ``sort_key`` or ``keys``. ``stored``: a credential one would keep
    (a password or API key), not a per-use value such as an IV, nonce or salt."""
    tokens = name_tokens(name)
    if not tokens:
        return False
    if set(tokens) & (_STORED_WORDS if stored else _SECRET_WORDS):
        return True
    return "key" in tokens and (len(tokens) == 1 or bool(set(tokens) & _KEY_PARTNERS))


def _names_around(index: Index, node: ast.AST) -> list[str]:
    """The identifiers that say what a value is for: the function it is in and the names
    it is assigned to, returned as, or passed as."""
    names: list[str] = []
    function = index.enclosing(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
        names.append(function.name)
    statement = index.enclosing(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return))
    targets: list[ast.AST] = []
    if isinstance(statement, ast.Assign):
        targets = list(statement.targets)
    elif isinstance(statement, ast.AnnAssign | ast.AugAssign):
        targets = [statement.target]
    for target in targets:
        for sub in ast.walk(target):
            if isinstance(sub, ast.Name):
                names.append(sub.id)
            elif isinstance(sub, ast.Attribute):
                names.append(sub.attr)
            elif isinstance(sub, ast.Subscript) and isinstance(sub.slice, ast.Constant):
                names.append(str(sub.slice.value))
    parent = index.parents.get(node)
    if isinstance(parent, ast.keyword) and parent.arg:
        names.append(parent.arg)
    return names


def key_sizes(index: Index) -> Iterator[Hit]:
    """CWE-326: RSA/DSA keys under 2048 bits, elliptic curves under 224 bits, however the
    size is passed (positionally, by keyword, through a variable)."""
    for call, name in index.calls():
        where = _RSA_GENERATORS.get(name)
        if where is not None:
            sizes = [b for b in _possible(index, argument(call, where[0], where[1])) if b > 0]
            bits = min(sizes, default=None)
            if bits is not None and bits < MIN_RSA_BITS:
                yield Hit(
                    "CH-KEY-SIZE",
                    "CWE-326",
                    f"{bits}-bit key (use at least {MIN_RSA_BITS})",
                    call,
                    "high",
                    "high",
                )
        elif name.endswith("ec.generate_private_key"):
            curve = argument(call, 0, "curve")
            label = index.qualname(curve.func if isinstance(curve, ast.Call) else curve or call)
            if label.rsplit(".", 1)[-1] in _WEAK_CURVES:
                yield Hit("CH-KEY-SIZE", "CWE-326", f"weak elliptic curve {label}", call, "high")


def _possible(index: Index, node: ast.AST | None) -> list[int]:
    """The integers ``node`` may be: a constant, or the known ones among the alternatives of
    ``bits or 1024`` and ``a if c else b``."""
    if isinstance(node, ast.BoolOp):
        return [v for value in node.values for v in _possible(index, value)]
    if isinstance(node, ast.IfExp):
        return _possible(index, node.body) + _possible(index, node.orelse)
    value = index.constant(node)
    return [value] if isinstance(value, int) and not isinstance(value, bool) else []


def _mode_name(index: Index, node: ast.AST | None) -> str:
    if node is None:
        return ""
    if isinstance(node, ast.Name):
        values = index.values(node.id, node)
        if values and len(values) == 1:
            return _mode_name(index, values[0])
    if isinstance(node, ast.Call):
        return index.qualname(node.func)
    return index.qualname(node)


def ciphers(index: Index) -> Iterator[Hit]:
    """CWE-327: ECB mode, DES/3DES/RC4/Blowfish, and constant IVs or nonces."""
    for call, name in index.calls():
        short = name.rsplit(".", 1)[-1]
        if name.startswith(_CIPHER_ROOTS) or ".Cipher." in name or "ciphers" in name:
            if short == "ECB" or (short == "new" and _is_ecb(index, call)):
                yield Hit(
                    "CH-CIPHER-ECB",
                    "CWE-327",
                    "ECB mode leaks plaintext patterns",
                    call,
                    "high",
                    "high",
                )
            owner = name.rsplit(".", 2)[-2] if name.count(".") >= 1 else ""
            if short in _WEAK_ALGORITHMS or (short == "new" and owner in _WEAK_ALGORITHMS):
                yield Hit(
                    "CH-CIPHER-WEAK",
                    "CWE-327",
                    f"broken cipher {owner or short}",
                    call,
                    "high",
                    "high",
                )
            if short in {"CBC", "CTR", "GCM", "CFB", "OFB"}:
                iv = argument(call, 0, "initialization_vector") or keyword(call, "nonce")
                if iv is not None and _constant_bytes(index, iv):
                    yield Hit("CH-STATIC-IV", "CWE-327", "constant IV or nonce", call, "high")
            if short == "new":
                iv = keyword(call, "iv") or keyword(call, "nonce") or argument(call, 2)
                if iv is not None and _constant_bytes(index, iv):
                    yield Hit("CH-STATIC-IV", "CWE-327", "constant IV or nonce", call, "high")


_OLD_PROTOCOLS = ("PROTOCOL_SSLv2", "PROTOCOL_SSLv3", "PROTOCOL_TLSv1", "PROTOCOL_TLSv1_1",
                  "TLSVersion.SSLv3", "TLSVersion.TLSv1", "TLSVersion.TLSv1_1")  # fmt: skip


def tls_versions(index: Index) -> Iterator[Hit]:
    """CWE-327: SSLv2/v3, TLS 1.0 or 1.1 chosen as a context's protocol or minimum version."""
    for node in index.of(ast.Call, ast.Assign):
        value: ast.AST | None = None
        if isinstance(node, ast.Call) and index.qualname(node.func).endswith("SSLContext"):
            value = argument(node, 0, "protocol")
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Attribute) and t.attr == "minimum_version" for t in node.targets
        ):
            value = node.value
        if value is not None and _mode_name(index, value).endswith(_OLD_PROTOCOLS):
            yield Hit("CH-TLS-VERSION", "CWE-327", "an obsolete SSL/TLS version", node, "high")


def _is_ecb(index: Index, call: ast.Call) -> bool:
    mode = argument(call, 1, "mode")
    return mode is not None and _mode_name(index, mode).endswith("MODE_ECB")


def _constant_bytes(index: Index, node: ast.AST) -> bool:
    value = index.constant(node)
    if isinstance(value, bytes | str):
        return True
    return isinstance(node, ast.BinOp) and isinstance(index.constant(node.left), bytes | str)


def hashes(index: Index) -> Iterator[Hit]:
    """CWE-327 (CWE-916): a fast hash of a password, PBKDF2 with few iterations or a
    constant salt, bcrypt with few rounds. MD5/SHA-1 outside passwords are bandit's B324."""
    for call, name in index.calls():
        if name in {"hashlib.pbkdf2_hmac", "Crypto.Protocol.KDF.PBKDF2"} or name.endswith(
            "PBKDF2HMAC"
        ):
            yield from _kdf(index, call, name)
        elif name.startswith("hashlib.") and name.rsplit(".", 1)[-1] in {
            "md5", "sha1", "sha224", "sha256", "sha384", "sha512", "new", "sha3_256", "blake2b",
        }:  # fmt: skip
            data = argument(call, 1 if name == "hashlib.new" else 0, "data")
            if data is not None and _mentions_password(index, data):
                yield Hit(
                    "CH-PASSWORD-HASH",
                    "CWE-327",
                    "a fast unsalted hash of a password "
                    "(use a KDF: hashlib.scrypt, PBKDF2, bcrypt, argon2)",
                    call,
                    "high",
                )
        elif name == "bcrypt.gensalt":
            rounds = index.constant(argument(call, 0, "rounds"))
            if isinstance(rounds, int) and rounds < 10:
                yield Hit("CH-KDF-COST", "CWE-327", f"bcrypt with {rounds} rounds", call)


def _kdf(index: Index, call: ast.Call, name: str) -> Iterator[Hit]:
    if name == "hashlib.pbkdf2_hmac":
        count, salt = argument(call, 3, "iterations"), argument(call, 2, "salt")
    elif name.endswith("PBKDF2HMAC"):
        count, salt = keyword(call, "iterations"), keyword(call, "salt")
    else:
        count, salt = argument(call, 3, "count"), argument(call, 1, "salt")
        if count is None:
            yield Hit("CH-KDF-COST", "CWE-327", "PBKDF2 at its default 1,000 iterations", call)
    value = index.constant(count)
    if isinstance(value, int) and value < MIN_PBKDF2_ITERATIONS:
        yield Hit(
            "CH-KDF-COST",
            "CWE-327",
            f"PBKDF2 with {value} iterations (use {MIN_PBKDF2_ITERATIONS:,} or more)",
            call,
        )
    if salt is not None and isinstance(index.constant(salt), bytes | str):
        yield Hit("CH-KDF-SALT", "CWE-327", "a constant salt", call)


def _mentions_password(index: Index, node: ast.AST) -> bool:
    for sub in ast.walk(node):
        ident = sub.id if isinstance(sub, ast.Name) else getattr(sub, "attr", None)
        if isinstance(ident, str) and set(name_tokens(ident)) & _PASSWORD_WORDS:
            return True
    return False


def shell(index: Index) -> Iterator[Hit]:
    """CWE-78: a shell command built from anything but literals and ``shlex.quote``d parts;
    ``shell=True`` counts through a variable too. A list argument without a shell is safe."""
    for call, name in index.calls():
        command = argument(call, 0, "args") if call.args or call.keywords else None
        if command is None:
            continue
        if name in _SHELL_CALLS or name.endswith(".exec_command"):
            pass
        elif name in _SUBPROCESS or name.endswith("create_subprocess_shell"):
            flag = keyword(call, "shell")
            if flag is None or index.constant(flag) is not True:
                continue
        else:
            continue
        if not index.is_static(command, safe_calls=_SHELL_SAFE):
            yield Hit(
                "CH-SHELL-BUILT",
                "CWE-78",
                "shell command built from a variable",
                call,
                "high",
                "high",
            )


def code_eval(index: Index) -> Iterator[Hit]:
    """CWE-94: ``eval``/``exec``/``compile`` of anything but a literal (``ast.literal_eval``
    is the safe parser), and Flask's debugger left on."""
    for call, name in index.calls():
        if name in {"eval", "exec", "builtins.eval", "builtins.exec"} and call.args:
            if not index.is_static(call.args[0]):
                yield Hit(
                    "CH-EVAL",
                    "CWE-94",
                    f"{name}() of a value that is not a literal",
                    call,
                    "high",
                    "high",
                )
        elif name.endswith("render_template_string") and call.args:
            if not index.is_static(call.args[0]):
                yield Hit(
                    "CH-TEMPLATE-INJECTION", "CWE-94", "a template built from input", call, "high"
                )


def deserialise(index: Index) -> Iterator[Hit]:
    """CWE-502: ``yaml.load`` without a safe loader (through a variable too), ``unsafe_load``,
    ``numpy.load(allow_pickle=True)``, ``pandas.read_pickle``, ``jsonpickle.decode``,
    ``torch.load`` without ``weights_only=True``; pickle and marshal are bandit's."""
    for call, name in index.calls():
        if name in {"yaml.load", "yaml.load_all"}:
            loader = _mode_name(index, argument(call, 1, "Loader"))
            if not loader.endswith(("SafeLoader", "CSafeLoader", "BaseLoader")):
                yield Hit(
                    "CH-YAML-LOAD", "CWE-502", "yaml.load without SafeLoader", call, "high", "high"
                )
        elif name in {"yaml.unsafe_load", "yaml.unsafe_load_all", "yaml.full_load"}:
            yield Hit("CH-YAML-LOAD", "CWE-502", f"{name} builds arbitrary objects", call, "high")
        elif name == "numpy.load" and index.constant(keyword(call, "allow_pickle")) is True:
            yield Hit("CH-PICKLE", "CWE-502", "numpy.load with allow_pickle=True", call)
        elif name in {
            "pandas.read_pickle",
            "jsonpickle.decode",
            "dill.loads",
            "dill.load",
            "shelve.open",
            "cloudpickle.loads",
            "joblib.load",
        }:
            yield Hit("CH-PICKLE", "CWE-502", f"{name} runs code from the data", call)
        elif name == "torch.load" and index.constant(keyword(call, "weights_only")) is not True:
            yield Hit("CH-PICKLE", "CWE-502", "torch.load without weights_only=True", call)


def tls(index: Index) -> Iterator[Hit]:
    """CWE-295: certificate checks turned off: ``verify=False`` (or a variable holding it),
    on a call or set on a session, ``check_hostname = False``, ``CERT_NONE``, aiohttp's
    ``ssl=False``."""
    for node in index.of(ast.Call, ast.Assign):
        if isinstance(node, ast.Call):
            name = index.qualname(node.func)
            for kw in node.keywords:
                if kw.arg == "verify" and index.constant(kw.value) is False:
                    yield Hit(
                        "CH-TLS-VERIFY",
                        "CWE-295",
                        "certificate verification disabled",
                        node,
                        "high",
                        "high",
                    )
                elif kw.arg in {"ssl", "verify_ssl"} and index.constant(kw.value) is False:
                    yield Hit("CH-TLS-VERIFY", "CWE-295", "TLS verification disabled", node)
                elif kw.arg == "cert_reqs" and _cert_none(index, kw.value):
                    yield Hit("CH-TLS-VERIFY", "CWE-295", "cert_reqs=CERT_NONE", node, "high")
            if name.endswith("_create_unverified_context"):
                yield Hit("CH-TLS-VERIFY", "CWE-295", "an unverified SSL context", node, "high")
        elif isinstance(node, ast.Assign):
            value = index.constant(node.value)
            mode = _mode_name(index, node.value)
            for target in node.targets:
                attr = target.attr if isinstance(target, ast.Attribute) else ""
                if attr in {"verify", "check_hostname"} and value is False:
                    yield Hit("CH-TLS-VERIFY", "CWE-295", f"{attr} set to False", node, "high")
                elif attr == "verify_mode" and (mode.endswith("CERT_NONE") or value == "CERT_NONE"):
                    yield Hit("CH-TLS-VERIFY", "CWE-295", "verify_mode = CERT_NONE", node, "high")


def _cert_none(index: Index, node: ast.AST) -> bool:
    return index.constant(node) == "CERT_NONE" or _mode_name(index, node).endswith("CERT_NONE")


def randomness(index: Index) -> Iterator[Hit]:
    """CWE-330: the ``random`` module (not ``SystemRandom``) producing something whose name
    says it is a secret (a token, password, key, salt, nonce, reset code, session id)."""
    for call, name in index.calls():
        if not name.startswith(("random.", "numpy.random.")) or "SystemRandom" in name:
            continue
        if name.rsplit(".", 1)[-1] not in _RANDOM_FUNCS:
            continue
        names = _names_around(index, call)
        if any(secret_like(n) for n in names):
            yield Hit(
                "CH-RANDOM-SECRET",
                "CWE-330",
                "the random module is predictable; use secrets for tokens and keys",
                call,
                "medium",
                "medium",
            )


def temp_files(index: Index) -> Iterator[Hit]:
    """CWE-377: ``tempfile.mktemp`` (a name another process can claim first) and fixed names
    joined to the temporary directory."""
    for call, name in index.calls():
        if name in {"tempfile.mktemp", "os.tempnam", "os.tmpnam"}:
            yield Hit(
                "CH-MKTEMP",
                "CWE-377",
                f"{name} is racy; use mkstemp or NamedTemporaryFile",
                call,
                "medium",
                "high",
            )
        elif name in {"os.path.join", "pathlib.Path"} and len(call.args) >= 2:
            base = call.args[0]
            if isinstance(base, ast.Call) and index.qualname(base.func) == "tempfile.gettempdir":
                if all(index.is_static(a) for a in call.args[1:]):
                    yield Hit(
                        "CH-TMP-PREDICTABLE",
                        "CWE-377",
                        "a fixed file name in the shared temporary directory",
                        call,
                    )


def file_modes(index: Index) -> Iterator[Hit]:
    """CWE-732: world-writable modes on ``chmod``/``mkdir``/``makedirs``/``os.open`` (also
    ``Path.chmod``, through variables and ``stat`` constants), and ``os.umask(0)``."""
    for call, name in index.calls():
        short = name.rsplit(".", 1)[-1]
        if short in {"chmod", "fchmod", "lchmod"}:
            mode = argument(call, 1 if name.startswith("os.") else 0, "mode")
        elif short in {"mkdir", "makedirs"}:
            mode = argument(call, 1 if name.startswith("os.") else 0, "mode")
        elif name == "os.open":
            mode = argument(call, 2, "mode")
        elif name == "os.umask":
            value = index.constant(argument(call, 0, "mask"))
            if isinstance(value, int) and value & 0o002 == 0:
                yield Hit(
                    "CH-FILE-MODE",
                    "CWE-732",
                    f"umask {value:#o} leaves new files world-writable",
                    call,
                    "high",
                )
            continue
        else:
            continue
        value = index.constant(mode)
        if isinstance(value, int) and value & 0o002:
            yield Hit(
                "CH-FILE-MODE", "CWE-732", f"world-writable mode {value:#o}", call, "high", "high"
            )


RULES: tuple[Rule, ...] = (
    key_sizes, ciphers, tls_versions, hashes, shell, code_eval, deserialise, tls, randomness,
    temp_files,
    file_modes,
)  # fmt: skip
