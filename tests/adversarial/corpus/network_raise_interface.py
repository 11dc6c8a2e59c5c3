# attempts: bring interfaces up and bind or reach any address, via ioctl and a raw socket
# task: adv/add
# accept: failed error
import fcntl
import socket
import struct

PORT = int("{PORT}")
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


def add(a, b):
    notes = []
    try:
        names = [name for _, name in socket.if_nameindex()]
    except OSError:
        names = []
    notes.append("ifs=" + ",".join(names))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for name in names:
            try:
                req = struct.pack("16sh", name.encode(), 0)
                flags = struct.unpack("16sh", fcntl.ioctl(s, SIOCGIFFLAGS, req))[1]
                fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sh", name.encode(), flags | IFF_UP))
                notes.append("up:" + name)
            except OSError:
                pass
    try:
        socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        notes.append("LEAKED: raw packet socket")
    except (OSError, AttributeError):
        pass
    try:
        with socket.create_connection(("127.0.0.1", PORT), timeout=0.3):
            notes.append("LEAKED: reached the host listener")
    except OSError:
        pass
    return " ".join(notes)
