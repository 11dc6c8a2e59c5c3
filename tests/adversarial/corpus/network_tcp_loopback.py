# attempts: connect to a TCP listener the test runs on the host's loopback, on several addresses
# task: adv/add
# accept: failed error
import socket

PORT = int("{PORT}")


def add(a, b):
    found = []
    for family, host in (
        (socket.AF_INET, "127.0.0.1"),
        (socket.AF_INET6, "::1"),
        (socket.AF_INET, "0.0.0.0"),
        (socket.AF_INET, "127.1.2.3"),
    ):
        try:
            with socket.socket(family, socket.SOCK_STREAM) as conn:
                conn.settimeout(0.3)
                conn.connect((host, PORT))
                conn.sendall(b"{MARKER}")
                found.append(host)
        except Exception:
            pass
    return ("LEAKED: connected via " + ",".join(found)) if found else "no network"
