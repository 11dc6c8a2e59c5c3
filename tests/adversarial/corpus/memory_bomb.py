# attempts: memory bomb: one huge allocation, then a loop growing a list
# task: adv/add
# accept: memory error timeout
def add(a, b):
    try:
        blob = bytearray(64 * 1024**3)
    except MemoryError:
        blob = None
    hoard = [blob]
    while True:
        hoard.append(bytearray(16 * 1024**2))
