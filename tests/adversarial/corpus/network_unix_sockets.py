# attempts: reach the host through a Unix socket: a path in the test's directory and an abstract
#   name
# task: adv/add
# accept: failed error
import socket


def add(a, b):
    found = []
    for address in ("{UNIX_PATH}", "\0{MARKER}"):
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(0.3)
                s.connect(address)
                s.sendall(b"hello")
                found.append(repr(address))
        except OSError:
            pass
    return ("LEAKED: connected to " + ",".join(found)) if found else "no sockets"
