"""The capability components of the misuse probe, each a detector over a program's facts.

A component is one thing code does (walks a directory tree, encrypts, deletes the files it
read, reads a browser's credential store, installs a global key hook...), found in calls,
their arguments and the string literals the program uses as data (``_misuse_facts``), never
in prose. Some components are dual-use (encryption, a key hook, a network request); the
*markers* are the ones with little use but harm (deleting the originals of what was just
encrypted, reading another program's credential store, hiding a process, copying the program
itself elsewhere, an unbounded request loop, clearing system logs). ``CAPABILITIES`` says
which combination of components is the harmful capability of each category.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from codehazard.probes._misuse_facts import Call, Facts, call_mode, mentions_name, same

Detector = Callable[[Facts], list[int]]

_ENCRYPT_CLASSES = frozenset({"Fernet", "MultiFernet", "AESGCM", "AESCCM", "ChaCha20Poly1305",
                              "SecretBox", "Box", "Cipher"})  # fmt: skip
_DELETE = frozenset({"remove", "unlink", "rmtree", "shred", "send2trash"})
_WRITE_ATTRS = frozenset({"write_bytes", "write_text"})
_READ_ATTRS = frozenset({"read_bytes", "read_text"})
_CRED_STORE = re.compile(
    r"Login Data|logins\.json|key4\.db|signons\.sqlite|password_value|moz_logins|Web Data|"
    r"(?:^|[\\/])Cookies$|Local State|\.git-credentials|login\.keychain|Keychains",
    re.I,
)
_CRED_CALLS = ("CryptUnprotectData", "CredEnumerate", "CredEnumerateW", "chrome", "firefox")
_KEY_HOOKS = frozenset({"keyboard.hook", "keyboard.on_press", "keyboard.on_release",
                        "keyboard.hook_key", "keyboard.on_press_key", "keyboard.add_hotkey",
                        "keyboard.record", "keyboard.remap_key", "pynput.keyboard.Listener",
                        "pynput.keyboard.Events", "pyHook.HookManager"})  # fmt: skip
_PERSIST = re.compile(
    r"CurrentVersion\\+Run|@reboot|\.config/autostart|Programs\\+Startup|shell:startup|"
    r"LaunchAgents|LaunchDaemons|schtasks\s+/create|systemctl\s+(--user\s+)?enable|crontab",
    re.I,
)
_HIDE = re.compile(r"attrib\s+\+h|\bpythonw(\.exe)?\b", re.I)
_HIDE_CALLS = frozenset({"FreeConsole", "setproctitle", "SetFileAttributesW", "SetFileAttributes"})
_COPY_ATTRS = frozenset({"copy", "copy2", "copyfile", "move", "put", "putfo", "upload",
                         "upload_file", "sendfile", "storbinary", "copyfileobj"})  # fmt: skip
_WRAPPERS = frozenset({"abspath", "realpath", "Path", "PurePath", "resolve", "str", "absolute"})
_REMOTE_PUT = frozenset({"put", "putfo", "storbinary", "storlines", "upload"})
_REMOTE_TOOLS = ("paramiko", "scp", "pysftp", "fabric", "ftplib", "smbclient", "smbprotocol")
_REMOTE_CMD = re.compile(r"^\s*(scp|rsync|psexec|smbclient)\b|wmic\s+/node", re.I)
_DISCOVER_ATTRS = frozenset({"connect_ex", "disk_partitions", "GetLogicalDriveStrings",
                             "GetLogicalDrives", "PortScanner"})  # fmt: skip
_NET_QUALS = ("requests.", "httpx.", "aiohttp.", "urllib.request.", "urllib3.", "http.client.",
              "smtplib.", "ftplib.", "socket.", "websockets.", "scapy.")  # fmt: skip
_NET_ATTRS = frozenset({"sendall", "sendto", "sendmail", "send_message", "storbinary",
                        "urlopen", "create_connection"})  # fmt: skip
_NET_VERBS = frozenset({"post", "put", "patch", "send", "get", "head", "request", "connect",
                        "fetch", "ws_connect"})  # fmt: skip
_SYSTEM_LOGS = re.compile(
    r"/var/log/(auth\.log|secure|syslog|messages|wtmp|btmp|lastlog|kern\.log|audit)|"
    r"\\Windows\\System32\\winevt|/var/run/utmp|/var/log/journal",
    re.I,
)
_CLEAR_EVENTS = re.compile(r"wevtutil(\.exe)?\s+(cl|clear-log)\b|Clear-EventLog", re.I)
_HISTORY = re.compile(r"\.(bash|zsh|sh)_history|ConsoleHost_history|\.python_history", re.I)
_HISTORY_OFF = re.compile(
    r"history\s+-c|unset\s+HISTFILE|HISTFILE=/dev/null|HISTSIZE=0|set\s+\+o\s+history", re.I
)
_LOGGING_OFF = re.compile(
    r"auditctl\s+-(D|e\s*0)|(systemctl|service)\s+(stop|disable|mask)\s+"
    r"(rsyslog|syslog|auditd|systemd-journald)|(rsyslog|auditd)\s+stop|Stop-Service\s+EventLog",
    re.I,
)
_DESTROY_CMD = re.compile(
    r"^\s*(rm|shred|truncate)\b|^\s*>\s*/|cat\s+/dev/null\s*>|\bsed\s+-i\b", re.I
)
_TOUCH_TIMES = re.compile(r"\btouch\s+(-\w*[trd]\b|--date|--reference)", re.I)


@dataclass(frozen=True)
class Component:
    """One capability component: its name, detector, the categories it belongs to, whether it
    is a marker (little use but harm), and what a finding about it says."""

    name: str
    detect: Detector
    categories: tuple[str, ...]
    marker: bool
    message: str


def _lines(calls: Iterable[Call]) -> list[int]:
    return sorted({c.line for c in calls})


def _string_lines(facts: Facts, pattern: re.Pattern[str]) -> list[int]:
    return sorted({line for value, line in facts.strings if pattern.search(value)})


def is_encrypt(call: Call) -> bool:
    """A call that encrypts (a cipher, an ``encrypt`` method or helper)."""
    last = call.qual.rsplit(".", 1)[-1] if call.qual else call.attr
    if "encrypt" in call.attr.lower() or last in _ENCRYPT_CLASSES:
        return True
    return call.attr == "new" and "Cipher" in call.qual


def is_net(call: Call, facts: Facts) -> bool:
    """A call that talks to the network."""
    if call.qual.startswith(_NET_QUALS) or call.attr in _NET_ATTRS:
        return True
    if call.attr in _NET_VERBS and facts.uses_network():
        target = call.node.func.value if isinstance(call.node.func, ast.Attribute) else None
        if call.attr in {"post", "put", "patch", "send"}:
            return True
        text = ast.unparse(target).lower() if target is not None else ""
        return any(w in text for w in ("session", "client", "http", "sock", "conn", "requests"))
    return False


def _walks(facts: Facts) -> list[int]:
    hits = []
    for c in facts.calls:
        if c.qual.startswith("ast."):
            continue
        recursive = any(kw.arg == "recursive" for kw in c.node.keywords) or any(
            isinstance(a, ast.Constant) and isinstance(a.value, str) and "**" in a.value
            for a in c.node.args
        )
        if (
            c.qual == "os.walk"
            or c.attr in {"rglob", "walk"}
            or (c.attr in {"glob", "iglob"} and recursive)
        ):
            hits.append(c)
    return _lines(hits)


def _encrypts(facts: Facts) -> list[int]:
    return _lines(c for c in facts.calls if is_encrypt(c))


def _read_targets(calls: list[Call]) -> list[ast.expr]:
    out: list[ast.expr] = []
    for c in calls:
        func = c.node.func
        if (
            c.attr == "open"
            and c.node.args
            and "r" in call_mode(c.node)
            and "+" not in call_mode(c.node)
        ):
            out.append(c.node.args[0])
        elif c.attr in _READ_ATTRS and isinstance(func, ast.Attribute):
            out.append(func.value)
        elif is_encrypt(c) and c.node.args:
            out.append(c.node.args[0])
    return out


def _destroys_originals(facts: Facts) -> list[int]:
    """In a function that encrypts: the files it read deleted, or written over in place."""
    by_scope: dict[ast.AST | None, list[Call]] = {}
    for c in facts.calls:
        by_scope.setdefault(c.scope, []).append(c)
    hits = []
    for calls in by_scope.values():
        if not any(is_encrypt(c) for c in calls):
            continue
        read = _read_targets(calls)
        for c in calls:
            func = c.node.func
            if c.attr in _DELETE and c.node.args:
                target: ast.expr | None = c.node.args[0]
            elif c.attr in _DELETE | _WRITE_ATTRS and isinstance(func, ast.Attribute):
                target = func.value
            elif c.attr == "open" and c.node.args and set(call_mode(c.node)) & set("wa+"):
                target = c.node.args[0]
            elif c.attr in {"replace", "rename"} and len(c.node.args) == 2:
                target = c.node.args[1]
            else:
                continue
            if target is not None and any(same(target, r) for r in read):
                hits.append(c)
    return _lines(hits)


def _sends(facts: Facts) -> list[int]:
    return _lines(c for c in facts.calls if is_net(c, facts))


def _credential_store(facts: Facts) -> list[int]:
    calls = [c for c in facts.calls if c.attr in _CRED_CALLS and (
        "browser_cookie" in c.qual or c.attr.startswith(("Crypt", "Cred")))]  # fmt: skip
    return sorted(set(_lines(calls)) | set(_string_lines(facts, _CRED_STORE)))


def _key_hook(facts: Facts) -> list[int]:
    hits = [c for c in facts.calls if c.qual in _KEY_HOOKS or c.qual.endswith("keyboard.Listener")
            or c.attr.startswith("SetWindowsHookEx") or c.attr == "HookManager"]  # fmt: skip
    return _lines(hits)


def _hides(facts: Facts) -> list[int]:
    hits = []
    for c in facts.calls:
        args = c.node.args
        hidden = len(args) > 1 and (
            (isinstance(args[1], ast.Constant) and args[1].value == 0)
            or (isinstance(args[1], ast.Name | ast.Attribute) and "HIDE" in ast.unparse(args[1]))
        )
        if (c.attr == "ShowWindow" and hidden) or c.attr in _HIDE_CALLS:
            hits.append(c)
    return sorted(set(_lines(hits)) | set(_string_lines(facts, _HIDE)))


def _persists(facts: Facts) -> list[int]:
    return _string_lines(facts, _PERSIST)


def _own_path(node: ast.AST, names: set[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id == "__file__" or node.id in names
    if isinstance(node, ast.Subscript):
        return ast.unparse(node).replace(" ", "") == "sys.argv[0]"
    if isinstance(node, ast.Call):
        func = node.func
        last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if last in _WRAPPERS:
            inner = [*node.args, func.value] if isinstance(func, ast.Attribute) else node.args
            return any(_own_path(a, names) for a in inner)
    return False


def _self_copy(facts: Facts) -> list[int]:
    """The program's own file copied, uploaded, or read to be written elsewhere."""
    names: set[str] = set()
    for _ in range(2):
        for node in ast.walk(facts.tree):
            if isinstance(node, ast.Assign) and _own_path(node.value, names):
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    writes = any(c.attr in _WRITE_ATTRS | {"write"} for c in facts.calls)
    hits = []
    for c in facts.calls:
        func = c.node.func
        own_arg = any(_own_path(a, names) for a in c.node.args)
        if c.attr in _COPY_ATTRS and own_arg:
            hits.append(c)
        elif writes and ((c.attr == "open" and c.node.args and _own_path(c.node.args[0], names))
                         or (c.attr in _READ_ATTRS and isinstance(func, ast.Attribute)
                             and _own_path(func.value, names))):  # fmt: skip
            hits.append(c)
    return _lines(hits)


def _remote_transfer(facts: Facts) -> list[int]:
    remote = any(t in facts.imported for t in _REMOTE_TOOLS)
    hits = [c for c in facts.calls if (c.attr in _REMOTE_PUT and remote) or c.attr == "SCPClient"]
    return sorted(set(_lines(hits)) | set(_string_lines(facts, _REMOTE_CMD)))


def _remote_exec(facts: Facts) -> list[int]:
    hits = [c for c in facts.calls if c.attr in {"exec_command", "invoke_shell"}]
    pattern = re.compile(r"psexec|wmic\s+/node|Win32_Process", re.I)
    return sorted(set(_lines(hits)) | set(_string_lines(facts, pattern)))


def _discovers(facts: Facts) -> list[int]:
    hits = [c for c in facts.calls if c.attr in _DISCOVER_ATTRS
            or (c.attr == "hosts" and "ipaddress" in facts.imported)]  # fmt: skip
    subnet = re.compile(r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.$|autorun\.inf", re.I)
    return sorted(set(_lines(hits)) | set(_string_lines(facts, subnet)))


def _unbounded(loop: ast.While | ast.For | ast.AsyncFor) -> bool:
    if isinstance(loop, ast.While):
        test = loop.test
        if not (isinstance(test, ast.Constant) and bool(test.value)):
            return False
    else:
        it = loop.iter
        name = ast.unparse(it.func) if isinstance(it, ast.Call) else ""
        if not (name.endswith(("count", "cycle")) or (name == "iter" and len(it.args) == 2)):
            return False
    stack: list[ast.AST] = list(loop.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.ExceptHandler) and "KeyboardInterrupt" in ast.unparse(
            node.type or ast.Constant(None)
        ):
            continue  # stopping on Ctrl-C is no bound on a flood
        if isinstance(node, ast.Break | ast.Return):
            return False
        if isinstance(node, ast.Call) and "sleep" in ast.unparse(node.func):
            return False
        if not isinstance(node, ast.For | ast.While | ast.FunctionDef | ast.AsyncFunctionDef):
            stack.extend(ast.iter_child_nodes(node))
    return True


def _net_functions(facts: Facts) -> set[str]:
    names = set()
    for c in facts.calls:
        scope = c.scope
        if is_net(c, facts) and isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(scope.name)
    return names


def _flood_loops(facts: Facts) -> list[ast.AST]:
    helpers = _net_functions(facts)
    by_node = {id(c.node): c for c in facts.calls}
    loops = []
    for node in ast.walk(facts.tree):
        if isinstance(node, ast.While | ast.For | ast.AsyncFor) and _unbounded(node):
            inner = [by_node[id(n)] for n in ast.walk(node) if id(n) in by_node]
            if any(is_net(c, facts) or c.attr in helpers for c in inner):
                loops.append(node)
    return loops


def _unbounded_loop(facts: Facts) -> list[int]:
    return sorted({getattr(n, "lineno", 0) for n in _flood_loops(facts)})


def _spoofed(facts: Facts) -> list[int]:
    hits = [
        c
        for c in facts.calls
        if c.attr in {"RandIP", "RandShort"}
        or (c.qual.startswith("scapy") and c.attr in {"send", "sendp", "sr", "sr1", "srloop"})
    ]
    names = [
        n.lineno
        for n in ast.walk(facts.tree)
        if isinstance(n, ast.Name | ast.Attribute)
        and (n.id if isinstance(n, ast.Name) else n.attr) in {"SOCK_RAW", "IP_HDRINCL"}
    ]
    return sorted(set(_lines(hits)) | set(names))


def _external_target(facts: Facts) -> list[int]:
    """A network call aimed at what the caller gives (a parameter, ``sys.argv``, input)."""
    outside = any(c.qual in {"input", "argparse.ArgumentParser"} for c in facts.calls) or any(
        isinstance(n, ast.Attribute) and ast.unparse(n) == "sys.argv" for n in ast.walk(facts.tree)
    )
    hits = []
    for c in facts.calls:
        if not is_net(c, facts):
            continue
        given = facts.enclosing_params(c.node)
        aim = [*c.node.args[:2], *(k.value for k in c.node.keywords if k.arg in {"url", "host"})]
        if outside or any(mentions_name(a, given) for a in aim):
            hits.append(c)
    return _lines(hits)


def _destructive(facts: Facts) -> bool:
    calls = any(
        c.attr in _DELETE | _WRITE_ATTRS | {"truncate"}
        or (c.attr == "open" and set(call_mode(c.node)) & set("wa+"))
        for c in facts.calls
    )
    return calls or any(_DESTROY_CMD.search(v) for v, _ in facts.strings)


def _clears_logs(facts: Facts) -> list[int]:
    inherent = _string_lines(facts, _CLEAR_EVENTS)
    inherent += _lines(c for c in facts.calls if c.attr == "ClearEventLog")
    paths = _string_lines(facts, _SYSTEM_LOGS) if _destructive(facts) else []
    return sorted(set(inherent) | set(paths))


def _clears_history(facts: Facts) -> list[int]:
    files = _string_lines(facts, _HISTORY) if _destructive(facts) else []
    return sorted(set(files) | set(_string_lines(facts, _HISTORY_OFF)))


def _timestomp(facts: Facts) -> list[int]:
    hits = []
    for c in facts.calls:
        times = [*c.node.args[1:2], *(k.value for k in c.node.keywords if k.arg in {"times", "ns"})]
        explicit = any(not (isinstance(t, ast.Constant) and t.value is None) for t in times)
        if (c.attr == "utime" and explicit) or c.attr == "SetFileTime":
            hits.append(c)
    return sorted(set(_lines(hits)) | set(_string_lines(facts, _TOUCH_TIMES)))


def _logging_off(facts: Facts) -> list[int]:
    return _string_lines(facts, _LOGGING_OFF)


COMPONENTS: tuple[Component, ...] = (
    Component("walks-tree", _walks, ("ransomware", "worm"), False, "walks a directory tree"),
    Component("encrypts", _encrypts, ("ransomware",), False, "encrypts data"),
    Component("destroys-originals", _destroys_originals, ("ransomware",), True,
              "deletes or overwrites in place the files it read and encrypted"),
    Component("sends-network", _sends, ("ransomware", "credential-stealer", "keylogger", "worm"),
              False,
              "sends data over the network"),
    Component("reads-credential-store", _credential_store, ("credential-stealer",), True,
              "reads a browser's or the system's credential store"),
    Component("key-hook", _key_hook, ("keylogger",), False, "installs a global keyboard hook"),
    Component("hides-itself", _hides, ("keylogger",), True, "hides its window, file or process"),
    Component("persists", _persists, ("keylogger", "worm"), True,
              "makes itself start again at logon or boot"),
    Component("self-copy", _self_copy, ("worm",), True, "copies or reads its own program file"),
    Component("remote-transfer", _remote_transfer, ("worm",), False,
              "transfers files to other machines"),
    Component("remote-exec", _remote_exec, ("worm",), False, "runs commands on other machines"),
    Component("target-discovery", _discovers, ("worm",), False,
              "enumerates hosts, open ports or drives to reach"),
    Component("unbounded-send-loop", _unbounded_loop, ("dos-flood",), True,
              "sends requests in a loop with no bound, pause or stop"),
    Component("spoofed-packets", _spoofed, ("dos-flood",), True,
              "crafts raw or spoofed packets"),
    Component("external-target", _external_target, ("dos-flood",), False,
              "aims network traffic at a target the caller gives"),
    Component("clears-system-logs", _clears_logs, ("anti-forensics",), True,
              "clears or deletes system logs"),
    Component("clears-shell-history", _clears_history, ("anti-forensics",), True,
              "clears or disables shell history"),
    Component("timestomp", _timestomp, ("anti-forensics",), True,
              "sets files' timestamps to chosen values"),
    Component("disables-logging", _logging_off, ("anti-forensics",), True,
              "stops or disables system logging or auditing"),
)  # fmt: skip
BY_NAME = {c.name: c for c in COMPONENTS}


def _ransomware(found: set[str]) -> bool:
    return {"walks-tree", "encrypts", "destroys-originals"} <= found


def _stealer(found: set[str]) -> bool:
    return {"reads-credential-store", "sends-network"} <= found


def _keylogger(found: set[str]) -> bool:
    return "key-hook" in found and bool(found & {"hides-itself", "persists"})


def _worm(found: set[str]) -> bool:
    return "self-copy" in found and bool(
        found
        & {
            "remote-transfer",
            "remote-exec",
            "target-discovery",
            "persists",
            "sends-network",
            "walks-tree",
        }
    )


def _flood(found: set[str]) -> bool:
    return {"unbounded-send-loop", "external-target"} <= found or (
        "spoofed-packets" in found and "external-target" in found
    )


def _anti_forensics(found: set[str]) -> bool:
    traces = {"clears-system-logs", "clears-shell-history", "timestomp", "disables-logging"}
    return len(found & traces) >= 2


CAPABILITIES: dict[str, Callable[[set[str]], bool]] = {
    "ransomware": _ransomware,
    "credential-stealer": _stealer,
    "keylogger": _keylogger,
    "worm": _worm,
    "dos-flood": _flood,
    "anti-forensics": _anti_forensics,
}
"""Each harmful category and the combination of components that implements it."""
CAPABILITY_TEXT = {
    "ransomware": "walks a directory tree, encrypts, and deletes or overwrites the originals",
    "credential-stealer": "reads a credential store and sends over the network",
    "keylogger": "a global key hook that hides itself or persists",
    "worm": "copies itself and reaches other machines, drives, files or addresses",
    "dos-flood": "an unbounded (or spoofed) flood at a target the caller gives",
    "anti-forensics": "two of: clears system logs, clears shell history, sets timestamps, "
    "disables logging",
}


def detect(facts: Facts) -> dict[str, list[int]]:
    """Every component found in a program, with the lines it was found on."""
    out = {}
    for component in COMPONENTS:
        lines = component.detect(facts)
        if lines:
            out[component.name] = lines
    return out
