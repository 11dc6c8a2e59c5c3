"""Our own rules, part two: queries, HTML, paths, URLs, XML, regular expressions, secrets.

The data-flow questions (is this query built from input? does this path come from a
parameter and go unchecked?) are answered by ``Index.is_static`` and ``Index.is_tainted``:
flow-insensitive, within one answer, without running it. A parameterised query built in
steps (``q = "SELECT ..."; q += " AND id = ?"``) is static, and so is an ``IN (?, ?, ?)``
list made with ``",".join("?" * n)``; bandit's B608 reports both, so it is not used.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from codehazard.probes._security_ast import Index, argument, keyword, name_tokens
from codehazard.probes._security_redos import catastrophic
from codehazard.probes._security_rules import Hit, Rule, secret_like

_SQL = re.compile(
    r"^\s*(select\s.+\sfrom\s|insert\s+into\s|update\s+\w+\s+set\s|delete\s+from\s|"
    r"replace\s+into\s|drop\s+table\s|create\s+table\s|alter\s+table\s|with\s+\w+\s+as\s*\()",
    re.I | re.S,
)
_SQL_SINKS = {
    "execute",
    "executemany",
    "executescript",
    "read_sql",
    "read_sql_query",
    "raw",
    "text",
    "mogrify",
    "query",
    "exec_driver_sql",
}
_SQL_SAFE = {"SQL", "Identifier", "Literal", "Placeholder", "quote_ident", "escape_string", "text"}
_HTML = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*[\s>/]")
_ESCAPERS = {
    "html.escape", "escape", "markupsafe.escape", "cgi.escape", "bleach.clean",
    "urllib.parse.quote", "quote", "xml.sax.saxutils.escape", "conditional_escape",
    "escape_html", "flask.escape", "jinja2.escape", "quoteattr", "urlencode",
}  # fmt: skip
_FILE_SINKS = {
    "open", "io.open", "os.remove", "os.unlink", "os.rmdir", "shutil.rmtree", "shutil.copy",
    "shutil.copyfile", "shutil.move", "os.rename", "flask.send_file", "send_file",
    "os.listdir", "os.scandir", "codecs.open", "shutil.copy2", "os.stat",
}  # fmt: skip
_PATH_METHODS = {"read_text", "read_bytes", "write_text", "write_bytes", "open", "unlink"}
_PATH_CHECKS = {
    "realpath",
    "abspath",
    "resolve",
    "commonpath",
    "is_relative_to",
    "secure_filename",
    "safe_join",
    "relative_to",
    "normpath",
}
_PATH_CLEAN = {"os.path.basename", "basename", "secure_filename", "werkzeug.utils.secure_filename"}
_HTTP = {
    "requests.get", "requests.post", "requests.put", "requests.delete", "requests.head",
    "requests.request", "requests.patch", "httpx.get", "httpx.post", "httpx.request",
    "urllib.request.urlopen", "urllib.request.Request", "urllib2.urlopen", "urlopen",
    "aiohttp.request", "httpx.stream", "requests.Session().get", "requests.Session().post",
    "httpx.Client().get", "httpx.AsyncClient().get", "urllib3.PoolManager().request",
}  # fmt: skip
_URL_CHECKS = {
    "urlparse",
    "urlsplit",
    "ip_address",
    "is_private",
    "hostname",
    "netloc",
    "gethostbyname",
    "getaddrinfo",
    "is_global",
    "is_loopback",
}
_LXML = {
    "lxml.etree.parse",
    "lxml.etree.fromstring",
    "lxml.etree.XML",
    "lxml.etree.iterparse",
    "lxml.objectify.parse",
    "lxml.objectify.fromstring",
    "lxml.etree.XMLParser",
}
_RE_FUNCS = {
    "compile",
    "match",
    "search",
    "fullmatch",
    "findall",
    "finditer",
    "sub",
    "subn",
    "split",
}
_TOKEN_FORMATS = re.compile(
    r"AKIA[0-9A-Z]{16}|ghp_[A-Za-z0-9]{36}|gh[ousr]_[A-Za-z0-9]{36}|sk-[A-Za-z0-9_-]{20,}|"
    r"xox[baprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35}|-----BEGIN [A-Z ]*PRIVATE KEY-----|"
    r"sk_live_[A-Za-z0-9]{16,}|[a-z][a-z0-9+]*://[^/\s:@]+:[^/\s:@{}]{3,}@"
)
_PLACEHOLDER = re.compile(
    r"^$|^(x+|\*+|\.+|-+|changeme|change[-_ ]?me|secret|password|your[-_ ].*|<.*>|\{.*\}|"
    r"\$\{.*\}|todo|none|null|test|example|dummy|fake|placeholder|replace[-_ ]?me|redacted)$",
    re.I,
)


def _looks_sql(index: Index, node: ast.AST, depth: int = 0) -> bool:
    """Whether a literal in ``node`` (or in what its names were assigned) reads as SQL."""
    if depth > 4:
        return False
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            if _SQL.search(sub.value):
                return True
        if isinstance(sub, ast.Name):
            values = index.values(sub.id, sub) or ()
            if any(_looks_sql(index, value, depth + 1) for value in values):
                return True
    return False


def sql(index: Index) -> Iterator[Hit]:
    """CWE-89: a query that reaches a SQL sink (``execute``, ``read_sql``, ``text``...) built
    from anything but literals and placeholders; or an SQL string formatted from input."""
    seen: set[int] = set()
    for call, name in index.calls():
        short = name.rsplit(".", 1)[-1]
        if short not in _SQL_SINKS or not call.args:
            continue
        query = call.args[0]
        if _looks_sql(index, query) and not index.is_static(query, safe_calls=_SQL_SAFE):
            seen.add(id(query))
            if isinstance(query, ast.Name):  # the string it was built as is this finding
                seen.update(id(v) for v in index.values(query.id, query) or ())
            yield Hit(
                "CH-SQL-FORMAT",
                "CWE-89",
                "query built from variables; pass them as parameters",
                call,
                "high",
                "high",
            )
    for node in index.of(ast.JoinedStr, ast.BinOp):
        if id(node) in seen or not isinstance(node, ast.JoinedStr | ast.BinOp):
            continue
        if isinstance(index.parents.get(node), ast.JoinedStr | ast.BinOp):
            continue
        if isinstance(node, ast.BinOp) and not isinstance(node.op, ast.Add | ast.Mod):
            continue
        head = _head_literal(node)
        if head is not None and _SQL.search(head) and not index.is_static(node):
            if index.is_tainted(node):
                yield Hit("CH-SQL-FORMAT", "CWE-89", "SQL formatted from input", node)


def _head_literal(node: ast.AST, index: Index | None = None) -> str | None:
    """The literal text a built string starts with (through a constant's name)."""
    while isinstance(node, ast.BinOp):
        node = node.left
    if isinstance(node, ast.JoinedStr) and node.values:
        node = node.values[0]
        if isinstance(node, ast.FormattedValue):
            node = node.value
    value = index.constant(node) if index is not None else getattr(node, "value", None)
    if isinstance(node, ast.Constant | ast.Name) and isinstance(value, str):
        return value
    return None


def html(index: Index) -> Iterator[Hit]:
    """CWE-79: HTML markup formatted with values that are not escaped (``html.escape``,
    ``markupsafe.escape``...), and ``Markup``/``mark_safe`` of a formatted string."""
    for node in index.of(ast.Call, ast.JoinedStr, ast.BinOp):
        if isinstance(node, ast.Call) and node.args:
            name = index.qualname(node.func).rsplit(".", 1)[-1]
            if name in {"Markup", "mark_safe"} and not index.is_static(
                node.args[0], safe_calls=_ESCAPERS
            ):
                yield Hit("CH-HTML-UNESCAPED", "CWE-79", f"{name} of formatted text", node, "high")
                continue
        if _html_format_call(index, node):
            yield Hit("CH-HTML-UNESCAPED", "CWE-79", "HTML built from unescaped values", node)
            continue
        if isinstance(node, ast.Call):
            continue
        if not isinstance(node, ast.JoinedStr | ast.BinOp):
            continue
        if isinstance(index.parents.get(node), ast.JoinedStr | ast.BinOp):
            continue
        if isinstance(node, ast.BinOp) and not isinstance(node.op, ast.Add | ast.Mod):
            continue
        literals = [s.value for s in ast.walk(node) if isinstance(s, ast.Constant)]
        if not any(isinstance(v, str) and _HTML.search(v) for v in literals):
            continue
        if not index.is_static(node, safe_calls=_ESCAPERS):
            yield Hit("CH-HTML-UNESCAPED", "CWE-79", "HTML built from unescaped values", node)


def _html_format_call(index: Index, node: ast.AST) -> bool:
    """``"<td>{}</td>".format(value)`` with a value that is not escaped."""
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return False
    template = node.func.value
    if node.func.attr != "format" or not isinstance(template, ast.Constant):
        return False
    if not isinstance(template.value, str) or not _HTML.search(template.value):
        return False
    return not index.is_static(node, safe_calls=_ESCAPERS)


def _function_text_has(index: Index, node: ast.AST, words: set[str]) -> bool:
    function = index.enclosing(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    scope = function if function is not None else index.tree
    for sub in ast.walk(scope):
        ident = sub.attr if isinstance(sub, ast.Attribute) else getattr(sub, "id", None)
        if ident in words:
            return True
    return False


def paths(index: Index) -> Iterator[Hit]:
    """CWE-22: a file opened, sent or removed at a path built from a parameter or request
    data, in a function that neither reduces it to a base name nor checks the resolved path
    stays inside its directory; ``tarfile`` extraction without a filter."""
    for call, name in index.calls():
        short = call.func.attr if isinstance(call.func, ast.Attribute) else name
        if name in _FILE_SINKS or (short in _PATH_METHODS and isinstance(call.func, ast.Attribute)):
            target = call.args[0] if call.args and name in _FILE_SINKS else call.func
            if isinstance(target, ast.Attribute) and name not in _FILE_SINKS:
                target = target.value
            if not _built_path(index, target):
                continue
            if _input_part(index, target) and not _function_text_has(index, call, _PATH_CHECKS):
                yield Hit(
                    "CH-PATH-TRAVERSAL",
                    "CWE-22",
                    "a path built from input is used without checking it stays in its directory",
                    call,
                )
        elif short == "extractall" and "zip" not in name.lower():
            if keyword(call, "filter") is None and keyword(call, "members") is None:
                if "tar" in name.lower() or _function_text_has(index, call, {"tarfile"}):
                    yield Hit("CH-TAR-EXTRACT", "CWE-22", "tar extraction without a filter", call)


def _built_path(index: Index, node: ast.AST, depth: int = 0) -> bool:
    """A path joined or formatted from parts (a bare parameter is a caller's own path)."""
    if depth > 4:
        return False
    if isinstance(node, ast.Name):
        return any(_built_path(index, v, depth + 1) for v in index.values(node.id, node) or ())
    if isinstance(node, ast.Call):
        name = index.qualname(node.func)
        if name.endswith(("path.join", "Path", "joinpath", "PurePath")):
            return len(node.args) >= 2 or isinstance(node.func, ast.Attribute)
        method = isinstance(node.func, ast.Attribute) and name.endswith(("resolve", "absolute"))
        return method and _built_path(index, node.func.value, depth + 1)
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Div | ast.Mod)
    )


def _input_part(index: Index, node: ast.AST, depth: int = 0) -> bool:
    """Whether a part joined onto a path's base (not the base itself) comes from input."""
    if depth > 4:
        return False

    def tainted(part: ast.AST) -> bool:
        return index.is_tainted(part, clean_calls=_PATH_CLEAN)

    if isinstance(node, ast.Name):
        return any(_input_part(index, v, depth + 1) for v in index.values(node.id, node) or ())
    if isinstance(node, ast.Call):
        name = index.qualname(node.func)
        if isinstance(node.func, ast.Attribute) and name.endswith(("resolve", "absolute")):
            return _input_part(index, node.func.value, depth + 1)
        if isinstance(node.func, ast.Attribute) and name.endswith("joinpath"):
            return any(tainted(a) for a in node.args) or _input_part(index, node.func.value)
        return any(tainted(a) for a in node.args[1:])
    if isinstance(node, ast.BinOp):
        return tainted(node.right) or _input_part(index, node.left, depth + 1)
    if isinstance(node, ast.JoinedStr):
        return any(tainted(v) for v in node.values[1:])
    return False


def ssrf(index: Index) -> Iterator[Hit]:
    """CWE-918: an HTTP request whose scheme and host come from input, in a function that
    does not parse and check the URL; a fixed host with an input path is not reported."""
    for call, name in index.calls():
        if name not in _HTTP and not name.endswith(("Session().get", "Session().post")):
            continue
        url = argument(call, 1 if name.endswith(".request") else 0, "url")
        if url is None or not _host_from_input(index, url):
            continue
        if _function_text_has(index, call, _URL_CHECKS) or not _web_context(index, call, url):
            continue
        if _allow_listed(index, call, url):
            continue
        yield Hit("CH-SSRF", "CWE-918", "a request to a URL taken from input, host unchecked", call)


_SSRF_HINTS = {
    "webhook", "callback", "preview", "proxy", "avatar", "feed", "remote", "target", "image",
    "icon", "relay", "forward", "unfurl", "thumbnail", "crawl", "scrape", "link", "upstream",
    "import", "rss", "endpoint", "notify", "ping",
}  # fmt: skip
_WEB_REQUESTS = {"request", "flask.request", "bottle.request", "django.http.HttpRequest"}
_ROUTES = ("route", "get", "post", "put", "api_view", "websocket")


def _web_context(index: Index, call: ast.Call, url: ast.AST) -> bool:
    """Whether the URL is a remote party's: taken from a web request, in a request handler,
    or named as one (``webhook_url``, ``proxy_image``, ``fetch_preview``). A bare
    ``get(url)`` helper is the caller's choice of URL and is not reported."""
    function = index.enclosing(call, (ast.FunctionDef, ast.AsyncFunctionDef))
    names = [s.id for s in ast.walk(url) if isinstance(s, ast.Name)]
    if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
        names.append(function.name)
        for decorator in function.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if index.qualname(target).rsplit(".", 1)[-1] in _ROUTES:
                return True
    scope = function if function is not None else index.tree
    for sub in ast.walk(scope):
        if isinstance(sub, ast.Name) and index.qualname(sub) in _WEB_REQUESTS:
            return True
    return any(set(name_tokens(n)) & _SSRF_HINTS for n in names)


def _allow_listed(index: Index, call: ast.Call, url: ast.AST) -> bool:
    """A membership test (``if host not in KNOWN``) on a name the URL is built from."""
    used = {s.id for s in ast.walk(url) if isinstance(s, ast.Name)}
    function = index.enclosing(call, (ast.FunctionDef, ast.AsyncFunctionDef)) or index.tree
    for node in ast.walk(function):
        if isinstance(node, ast.Compare) and isinstance(node.left, ast.Name):
            if node.left.id in used and any(isinstance(o, ast.In | ast.NotIn) for o in node.ops):
                return True
    return False


def _host_from_input(index: Index, url: ast.AST, depth: int = 0) -> bool:
    if depth > 4:
        return False
    if isinstance(url, ast.Name):
        values = index.values(url.id, url)
        if values is None:
            return True
        return any(_host_from_input(index, v, depth + 1) for v in values)
    head = _head_literal(url, index)
    if isinstance(url, ast.JoinedStr | ast.BinOp):
        if head is not None and re.match(r"^[a-z][a-z0-9+.-]*://[^/{]+[/?]", head, re.I):
            return False
        if head is not None and re.match(r"^[a-z][a-z0-9+.-]*://[^{]*\w[/:]", head, re.I):
            return False
        return index.is_tainted(url)
    if isinstance(url, ast.Subscript | ast.Attribute | ast.Call):
        return index.is_tainted(url) and not isinstance(url, ast.Call)
    return False


def xxe(index: Index) -> Iterator[Hit]:
    """CWE-611: lxml parsing with entity resolution on (its default), and SAX with external
    general entities switched on. The standard library's parsers resolve no external
    entities since Python 3.7.1, so bandit's B313-B320 are not used."""
    for call, name in index.calls():
        if name == "lxml.etree.XMLParser":
            if index.constant(keyword(call, "resolve_entities")) is not False:
                yield Hit("CH-XXE", "CWE-611", "lxml parser resolving entities", call, "high")
        elif name in _LXML:
            parser = keyword(call, "parser") or argument(call, 1)
            if parser is None:
                yield Hit(
                    "CH-XXE",
                    "CWE-611",
                    f"{name} with lxml's default parser, which resolves external entities",
                    call,
                )
        elif name.endswith("setFeature") and len(call.args) == 2:
            feature = index.qualname(call.args[0])
            if feature.endswith(("feature_external_ges", "feature_external_pes")):
                if index.constant(call.args[1]) is True:
                    yield Hit("CH-XXE", "CWE-611", "SAX external entities on", call, "high")


def regexes(index: Index) -> Iterator[Hit]:
    """CWE-1333: a regular expression with nested or overlapping repetition, which
    backtracks exponentially on a near-miss input."""
    for call, name in index.calls():
        parts = name.split(".")
        if len(parts) < 2 or parts[-2] not in {"re", "regex"} or parts[-1] not in _RE_FUNCS:
            continue
        pattern = index.constant(argument(call, 0, "pattern"))
        if isinstance(pattern, str) and catastrophic(pattern):
            yield Hit(
                "CH-REDOS",
                "CWE-1333",
                f"catastrophic backtracking in {pattern[:60]!r}",
                call,
                "medium",
                "high",
            )


def secrets(index: Index) -> Iterator[Hit]:
    """CWE-798: a literal that looks like a credential assigned or passed under a secret's
    name, or a known token format anywhere (AWS, GitHub, Slack, private key, URL password).
    Placeholders (``""``, ``"changeme"``, ``"<your key>"``) and environment lookups are not."""
    for node in index.of(ast.Constant, ast.Assign, ast.AnnAssign, ast.Call, ast.Dict):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if isinstance(index.parents.get(node), ast.Expr):
                continue  # a docstring or a bare string: text about the code, not a value
            if _TOKEN_FORMATS.search(node.value) and not _PLACEHOLDER.search(node.value):
                yield Hit(
                    "CH-SECRET-FORMAT", "CWE-798", "a credential in the code", node, "high", "high"
                )
                continue
        for name, value in _named_literals(node):
            if secret_like(name, stored=True) and _plausible_secret(value):
                yield Hit("CH-SECRET-LITERAL", "CWE-798", f"hard-coded {name}", node, "high")
        if isinstance(node, ast.Call) and _login_literal(index, node):
            yield Hit(
                "CH-SECRET-LITERAL", "CWE-798", "a literal password passed to a login", node, "high"
            )


def _named_literals(node: ast.AST) -> Iterator[tuple[str, str]]:
    def literal(value: ast.AST | None) -> str | None:
        if isinstance(value, ast.Constant) and isinstance(value.value, str | bytes):
            raw = value.value
            return raw.decode("latin-1") if isinstance(raw, bytes) else raw
        return None

    if isinstance(node, ast.Assign | ast.AnnAssign) and (text := literal(node.value)) is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            ident = target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)
            if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
                ident = str(target.slice.value)
            if ident:
                yield ident, text
    elif isinstance(node, ast.Call):
        for kw in node.keywords:
            if kw.arg and (text := literal(kw.value)) is not None:
                yield kw.arg, text
    elif isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                if (text := literal(value)) is not None:
                    yield key.value, text


_LOGINS = {
    "login",
    "authenticate",
    "HTTPBasicAuth",
    "HTTPDigestAuth",
    "BasicAuth",
    "bind_s",
    "simple_bind_s",
    "set_password",
}


def _login_literal(index: Index, call: ast.Call) -> bool:
    """``server.login("user", "literal")``, ``HTTPBasicAuth("u", "p")``, ``auth=("u", "p")``."""
    short = index.qualname(call.func).rsplit(".", 1)[-1]
    if short in _LOGINS and len(call.args) >= 2:
        value = call.args[1]
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return _plausible_secret(value.value)
    auth = keyword(call, "auth")
    if isinstance(auth, ast.Tuple) and len(auth.elts) == 2:
        value = auth.elts[1]
        return (
            isinstance(value, ast.Constant)
            and isinstance(value.value, str)
            and _plausible_secret(value.value)
        )
    return False


def _plausible_secret(value: str) -> bool:
    """Not a placeholder, no spaces, not a URL or path, six characters or more, with the
    digits or symbols of a credential (or 16 mixed-case letters): ``"X-Auth-Token"`` and
    ``"bearer"`` are names, ``"S3cr3t!"`` is not."""
    value = value.strip()
    if len(value) < 6 or len(value) > 4000 or _PLACEHOLDER.search(value):
        return False
    if any(ch.isspace() for ch in value) and "PRIVATE KEY" not in value:
        return False
    if value.startswith(("http://", "https://", "/", "./", "%", "{")):
        return False
    if any(ch.isdigit() for ch in value) or any(ch in "!@#$%^&*+=?~" for ch in value):
        return True
    return len(value) >= 16 and not value.islower() and not value.isupper()


WEB_RULES: tuple[Rule, ...] = (sql, html, paths, ssrf, xxe, regexes, secrets)
