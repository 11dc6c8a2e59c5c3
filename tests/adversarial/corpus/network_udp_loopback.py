# attempts: send UDP datagrams to a socket the test binds on the host's loopback
# task: adv/add
# accept: failed error
import socket

PORT = int("{UDP_PORT}")


def add(a, b):
    sent = 0
    for _ in range(3):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                sent += s.sendto(b"{MARKER}", ("127.0.0.1", PORT))
        except OSError:
            pass
    return f"sent {sent}"
