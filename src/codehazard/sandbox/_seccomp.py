"""The sandbox's seccomp filter: an allowlist of system calls, compiled to classic BPF by us.

Namespaces do not cover every kernel surface: the keyrings (``add_key``, ``keyctl``) are shared
by every process of a uid and outlive a sample, io_uring, userfaultfd, ``bpf`` and
``perf_event_open`` are large attack surfaces, and sockets of other families or a nested user
namespace reach past what the other namespaces isolate. The runner installs this filter (after
``no_new_privs``, before the candidate's code) and every process the candidate makes inherits it.

Policy (see ``docs/sandbox.md``): the allowlist is a subset of Docker's default profile; what is
not allowed fails with ``EPERM`` (Python probes some of these and carries on), ``clone3`` with
``ENOSYS`` (so the C library falls back to ``clone``, whose flags we can inspect), and numbers
newer than any call the policy knows with ``ENOSYS`` too (how runc treats them, so a newer C
library falls back). Calls from another ABI (x32, i386 ``int 0x80``, AArch32) fail with ``EPERM``.

The program is built by hand rather than through libseccomp: no library to find at run time,
one code path on every host, and the syscall tables below are checked against libseccomp's where
it is installed (``tests/sandbox/test_seccomp.py``). Standard library only: this runs inside the
sandbox, and the program is built once, when the zygote imports this module.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
from typing import Any

from codehazard.errors import SandboxError


class SeccompUnsupported(SandboxError):
    """The filter cannot be built here (an unknown architecture, a program too long for BPF);
    the isolation record then says seccomp is unavailable and why."""


# --- the policy ---------------------------------------------------------------------------

_ALLOWED_TEXT = """
read write readv writev pread64 pwrite64 preadv preadv2 pwritev pwritev2 open openat openat2
creat close close_range lseek dup dup2 dup3 fcntl flock fsync fdatasync sync syncfs
sync_file_range fallocate ftruncate truncate fadvise64 readahead sendfile copy_file_range splice
tee vmsplice stat fstat lstat newfstatat statx statfs fstatfs access faccessat faccessat2
readlink readlinkat getdents getdents64 getcwd chdir fchdir mkdir mkdirat rmdir unlink unlinkat
rename renameat renameat2 link linkat symlink symlinkat chmod fchmod fchmodat chown fchown lchown
fchownat umask utime utimes utimensat futimesat mknod mknodat getxattr lgetxattr fgetxattr
listxattr llistxattr flistxattr setxattr lsetxattr fsetxattr removexattr lremovexattr
fremovexattr brk mmap munmap mprotect mremap madvise mincore msync mlock mlock2 mlockall munlock
munlockall memfd_create memfd_secret remap_file_pages pkey_alloc pkey_free pkey_mprotect
membarrier process_mrelease fork vfork execve execveat exit exit_group wait4 waitid kill tkill
tgkill getpid getppid gettid getpgid getpgrp setpgid getsid setsid set_tid_address
set_robust_list get_robust_list rseq prctl arch_prctl modify_ldt get_thread_area
set_thread_area getpriority setpriority getcpu getrlimit setrlimit prlimit64 getrusage times
sysinfo uname capget capset ioprio_get ioprio_set pidfd_open pidfd_send_signal getuid geteuid
getgid getegid getresuid getresgid getgroups setuid setgid setreuid setregid setresuid
setresgid setfsuid setfsgid setgroups rt_sigaction rt_sigprocmask rt_sigreturn rt_sigpending
rt_sigsuspend rt_sigtimedwait rt_sigqueueinfo rt_tgsigqueueinfo sigaltstack signalfd signalfd4
pause alarm getitimer setitimer clock_gettime clock_getres clock_nanosleep nanosleep
gettimeofday time timer_create timer_delete timer_gettime timer_settime timer_getoverrun
timerfd_create timerfd_gettime timerfd_settime futex futex_waitv poll ppoll select pselect6
epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_wait epoll_wait_old epoll_pwait
epoll_pwait2 eventfd eventfd2 inotify_init inotify_init1 inotify_add_watch inotify_rm_watch
fanotify_mark restart_syscall sched_yield sched_getaffinity sched_setaffinity sched_getattr
sched_setattr sched_getparam sched_setparam sched_getscheduler sched_setscheduler
sched_get_priority_max sched_get_priority_min sched_rr_get_interval io_setup io_destroy
io_submit io_cancel io_getevents io_pgetevents pipe pipe2 shmget shmat shmdt shmctl semget semop
semtimedop semctl msgget msgsnd msgrcv msgctl mq_open mq_unlink mq_timedsend mq_timedreceive
mq_notify mq_getsetattr accept accept4 bind connect listen getsockname getpeername getsockopt
setsockopt sendto recvfrom sendmsg recvmsg sendmmsg recvmmsg shutdown getrandom ioctl
landlock_create_ruleset landlock_add_rule landlock_restrict_self
"""
ALLOWED: tuple[str, ...] = tuple(_ALLOWED_TEXT.split())

# Allowed only with these arguments (checked by the filter; see ``_special``).
CLONE_NAMESPACE_FLAGS = 0x7E020000  # NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET
AF_UNIX = 1
PERSONALITIES = (0x0, 0x8, 0x20000, 0x20008, 0xFFFFFFFF)  # Linux, Linux32, UNAME26, query
ARGUMENT_CHECKED = ("clone", "clone3", "socket", "socketpair", "personality")

# Named here so that the documentation and the tests can say what is denied and why; anything
# not in ALLOWED is denied anyway.
DENIED_NOTABLY: tuple[str, ...] = tuple(
    """
add_key request_key keyctl io_uring_setup io_uring_enter io_uring_register userfaultfd bpf
perf_event_open ptrace process_vm_readv process_vm_writev process_madvise kexec_load
kexec_file_load init_module finit_module delete_module mount umount2 pivot_root move_mount
open_tree fsopen fsconfig fsmount fspick mount_setattr unshare setns lookup_dcookie
open_by_handle_at name_to_handle_at syslog acct swapon swapoff reboot settimeofday
clock_settime clock_adjtime adjtimex quotactl quotactl_fd mbind migrate_pages move_pages
set_mempolicy get_mempolicy iopl ioperm uselib ustat sysfs _sysctl nfsservctl fanotify_init
kcmp pidfd_getfd chroot sethostname setdomainname vhangup seccomp set_mempolicy_home_node
""".split()
)

# --- syscall numbers: x86_64 and aarch64 (asm-generic) ---------------------------------------
# Checked against libseccomp's tables by the tests; regenerate with
# ``seccomp_syscall_resolve_name_arch`` when adding a name.

_X86_64 = """
read 0 write 1 open 2 close 3 stat 4 fstat 5 lstat 6 poll 7 lseek 8 mmap 9 mprotect 10 munmap 11
brk 12 rt_sigaction 13 rt_sigprocmask 14 rt_sigreturn 15 ioctl 16 pread64 17 pwrite64 18
readv 19 writev 20 access 21 pipe 22 select 23 sched_yield 24 mremap 25 msync 26 mincore 27
madvise 28 shmget 29 shmat 30 shmctl 31 dup 32 dup2 33 pause 34 nanosleep 35 getitimer 36
alarm 37 setitimer 38 getpid 39 sendfile 40 socket 41 connect 42 accept 43 sendto 44
recvfrom 45 sendmsg 46 recvmsg 47 shutdown 48 bind 49 listen 50 getsockname 51 getpeername 52
socketpair 53 setsockopt 54 getsockopt 55 clone 56 fork 57 vfork 58 execve 59 exit 60 wait4 61
kill 62 uname 63 semget 64 semop 65 semctl 66 shmdt 67 msgget 68 msgsnd 69 msgrcv 70 msgctl 71
fcntl 72 flock 73 fsync 74 fdatasync 75 truncate 76 ftruncate 77 getdents 78 getcwd 79
chdir 80 fchdir 81 rename 82 mkdir 83 rmdir 84 creat 85 link 86 unlink 87 symlink 88
readlink 89 chmod 90 fchmod 91 chown 92 fchown 93 lchown 94 umask 95 gettimeofday 96
getrlimit 97 getrusage 98 sysinfo 99 times 100 ptrace 101 getuid 102 syslog 103 getgid 104
setuid 105 setgid 106 geteuid 107 getegid 108 setpgid 109 getppid 110 getpgrp 111 setsid 112
setreuid 113 setregid 114 getgroups 115 setgroups 116 setresuid 117 getresuid 118
setresgid 119 getresgid 120 getpgid 121 setfsuid 122 setfsgid 123 getsid 124 capget 125
capset 126 rt_sigpending 127 rt_sigtimedwait 128 rt_sigqueueinfo 129 rt_sigsuspend 130
sigaltstack 131 utime 132 mknod 133 uselib 134 personality 135 ustat 136 statfs 137
fstatfs 138 sysfs 139 getpriority 140 setpriority 141 sched_setparam 142 sched_getparam 143
sched_setscheduler 144 sched_getscheduler 145 sched_get_priority_max 146
sched_get_priority_min 147 sched_rr_get_interval 148 mlock 149 munlock 150 mlockall 151
munlockall 152 vhangup 153 modify_ldt 154 pivot_root 155 _sysctl 156 prctl 157 arch_prctl 158
adjtimex 159 setrlimit 160 chroot 161 sync 162 acct 163 settimeofday 164 mount 165 umount2 166
swapon 167 swapoff 168 reboot 169 sethostname 170 setdomainname 171 iopl 172 ioperm 173
init_module 175 delete_module 176 quotactl 179 nfsservctl 180 gettid 186 readahead 187
setxattr 188 lsetxattr 189 fsetxattr 190 getxattr 191 lgetxattr 192 fgetxattr 193
listxattr 194 llistxattr 195 flistxattr 196 removexattr 197 lremovexattr 198 fremovexattr 199
tkill 200 time 201 futex 202 sched_setaffinity 203 sched_getaffinity 204 set_thread_area 205
io_setup 206 io_destroy 207 io_getevents 208 io_submit 209 io_cancel 210 get_thread_area 211
lookup_dcookie 212 epoll_create 213 epoll_ctl_old 214 epoll_wait_old 215
remap_file_pages 216 getdents64 217 set_tid_address 218 restart_syscall 219 semtimedop 220
fadvise64 221 timer_create 222 timer_settime 223 timer_gettime 224 timer_getoverrun 225
timer_delete 226 clock_settime 227 clock_gettime 228 clock_getres 229 clock_nanosleep 230
exit_group 231 epoll_wait 232 epoll_ctl 233 tgkill 234 utimes 235 mbind 237 set_mempolicy 238
get_mempolicy 239 mq_open 240 mq_unlink 241 mq_timedsend 242 mq_timedreceive 243
mq_notify 244 mq_getsetattr 245 kexec_load 246 waitid 247 add_key 248 request_key 249
keyctl 250 ioprio_set 251 ioprio_get 252 inotify_init 253 inotify_add_watch 254
inotify_rm_watch 255 migrate_pages 256 openat 257 mkdirat 258 mknodat 259 fchownat 260
futimesat 261 newfstatat 262 unlinkat 263 renameat 264 linkat 265 symlinkat 266
readlinkat 267 fchmodat 268 faccessat 269 pselect6 270 ppoll 271 unshare 272
set_robust_list 273 get_robust_list 274 splice 275 tee 276 sync_file_range 277 vmsplice 278
move_pages 279 utimensat 280 epoll_pwait 281 signalfd 282 timerfd_create 283 eventfd 284
fallocate 285 timerfd_settime 286 timerfd_gettime 287 accept4 288 signalfd4 289 eventfd2 290
epoll_create1 291 dup3 292 pipe2 293 inotify_init1 294 preadv 295 pwritev 296
rt_tgsigqueueinfo 297 perf_event_open 298 recvmmsg 299 fanotify_init 300 fanotify_mark 301
prlimit64 302 name_to_handle_at 303 open_by_handle_at 304 clock_adjtime 305 syncfs 306
sendmmsg 307 setns 308 getcpu 309 process_vm_readv 310 process_vm_writev 311 kcmp 312
finit_module 313 sched_setattr 314 sched_getattr 315 renameat2 316 seccomp 317 getrandom 318
memfd_create 319 kexec_file_load 320 bpf 321 execveat 322 userfaultfd 323 membarrier 324
mlock2 325 copy_file_range 326 preadv2 327 pwritev2 328 pkey_mprotect 329 pkey_alloc 330
pkey_free 331 statx 332 io_pgetevents 333 rseq 334
"""

_AARCH64 = """
io_setup 0 io_destroy 1 io_submit 2 io_cancel 3 io_getevents 4 setxattr 5 lsetxattr 6
fsetxattr 7 getxattr 8 lgetxattr 9 fgetxattr 10 listxattr 11 llistxattr 12 flistxattr 13
removexattr 14 lremovexattr 15 fremovexattr 16 getcwd 17 lookup_dcookie 18 eventfd2 19
epoll_create1 20 epoll_ctl 21 epoll_pwait 22 dup 23 dup3 24 fcntl 25 inotify_init1 26
inotify_add_watch 27 inotify_rm_watch 28 ioctl 29 ioprio_set 30 ioprio_get 31 flock 32
mknodat 33 mkdirat 34 unlinkat 35 symlinkat 36 linkat 37 renameat 38 umount2 39 mount 40
pivot_root 41 nfsservctl 42 statfs 43 fstatfs 44 truncate 45 ftruncate 46 fallocate 47
faccessat 48 chdir 49 fchdir 50 chroot 51 fchmod 52 fchmodat 53 fchownat 54 fchown 55
openat 56 close 57 vhangup 58 pipe2 59 quotactl 60 getdents64 61 lseek 62 read 63 write 64
readv 65 writev 66 pread64 67 pwrite64 68 preadv 69 pwritev 70 sendfile 71 pselect6 72
ppoll 73 signalfd4 74 vmsplice 75 splice 76 tee 77 readlinkat 78 newfstatat 79 fstat 80
sync 81 fsync 82 fdatasync 83 sync_file_range 84 timerfd_create 85 timerfd_settime 86
timerfd_gettime 87 utimensat 88 acct 89 capget 90 capset 91 personality 92 exit 93
exit_group 94 waitid 95 set_tid_address 96 unshare 97 futex 98 set_robust_list 99
get_robust_list 100 nanosleep 101 getitimer 102 setitimer 103 kexec_load 104 init_module 105
delete_module 106 timer_create 107 timer_gettime 108 timer_getoverrun 109 timer_settime 110
timer_delete 111 clock_settime 112 clock_gettime 113 clock_getres 114 clock_nanosleep 115
syslog 116 ptrace 117 sched_setparam 118 sched_setscheduler 119 sched_getscheduler 120
sched_getparam 121 sched_setaffinity 122 sched_getaffinity 123 sched_yield 124
sched_get_priority_max 125 sched_get_priority_min 126 sched_rr_get_interval 127
restart_syscall 128 kill 129 tkill 130 tgkill 131 sigaltstack 132 rt_sigsuspend 133
rt_sigaction 134 rt_sigprocmask 135 rt_sigpending 136 rt_sigtimedwait 137
rt_sigqueueinfo 138 rt_sigreturn 139 setpriority 140 getpriority 141 reboot 142 setregid 143
setgid 144 setreuid 145 setuid 146 setresuid 147 getresuid 148 setresgid 149 getresgid 150
setfsuid 151 setfsgid 152 times 153 setpgid 154 getpgid 155 getsid 156 setsid 157
getgroups 158 setgroups 159 uname 160 sethostname 161 setdomainname 162 getrlimit 163
setrlimit 164 getrusage 165 umask 166 prctl 167 getcpu 168 gettimeofday 169
settimeofday 170 adjtimex 171 getpid 172 getppid 173 getuid 174 geteuid 175 getgid 176
getegid 177 gettid 178 sysinfo 179 mq_open 180 mq_unlink 181 mq_timedsend 182
mq_timedreceive 183 mq_notify 184 mq_getsetattr 185 msgget 186 msgctl 187 msgrcv 188
msgsnd 189 semget 190 semctl 191 semtimedop 192 semop 193 shmget 194 shmctl 195 shmat 196
shmdt 197 socket 198 socketpair 199 bind 200 listen 201 accept 202 connect 203
getsockname 204 getpeername 205 sendto 206 recvfrom 207 setsockopt 208 getsockopt 209
shutdown 210 sendmsg 211 recvmsg 212 readahead 213 brk 214 munmap 215 mremap 216 add_key 217
request_key 218 keyctl 219 clone 220 execve 221 mmap 222 fadvise64 223 swapon 224
swapoff 225 mprotect 226 msync 227 mlock 228 munlock 229 mlockall 230 munlockall 231
mincore 232 madvise 233 remap_file_pages 234 mbind 235 get_mempolicy 236 set_mempolicy 237
migrate_pages 238 move_pages 239 rt_tgsigqueueinfo 240 perf_event_open 241 accept4 242
recvmmsg 243 wait4 260 prlimit64 261 fanotify_init 262 fanotify_mark 263
name_to_handle_at 264 open_by_handle_at 265 clock_adjtime 266 syncfs 267 setns 268
sendmmsg 269 process_vm_readv 270 process_vm_writev 271 kcmp 272 finit_module 273
sched_setattr 274 sched_getattr 275 renameat2 276 seccomp 277 getrandom 278 memfd_create 279
bpf 280 execveat 281 userfaultfd 282 membarrier 283 mlock2 284 copy_file_range 285
preadv2 286 pwritev2 287 pkey_mprotect 288 pkey_alloc 289 pkey_free 290 statx 291
io_pgetevents 292 rseq 293 kexec_file_load 294
"""

# From 424 on every architecture shares one numbering.
_COMMON = """
pidfd_send_signal 424 io_uring_setup 425 io_uring_enter 426 io_uring_register 427
open_tree 428 move_mount 429 fsopen 430 fsconfig 431 fsmount 432 fspick 433 pidfd_open 434
clone3 435 close_range 436 openat2 437 pidfd_getfd 438 faccessat2 439 process_madvise 440
epoll_pwait2 441 mount_setattr 442 quotactl_fd 443 landlock_create_ruleset 444
landlock_add_rule 445 landlock_restrict_self 446 memfd_secret 447 process_mrelease 448
futex_waitv 449 set_mempolicy_home_node 450
"""
NEWEST_KNOWN = 450  # above this number a call is newer than the policy: ENOSYS, as runc does

_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_X32_BIT = 0x40000000


def _parse(text: str) -> dict[str, int]:
    words = text.split()
    return {words[i]: int(words[i + 1]) for i in range(0, len(words), 2)}


def syscall_table(machine: str) -> dict[str, int]:
    """Name to number for ``machine`` (``platform.machine()``); empty when unsupported."""
    own = {"x86_64": _X86_64, "aarch64": _AARCH64}.get(machine)
    return {} if own is None else {**_parse(own), **_parse(_COMMON)}


# --- classic BPF ----------------------------------------------------------------------------

_LD_ABS_W = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ, _JGT, _JGE, _JSET = 0x15, 0x25, 0x35, 0x45  # BPF_JMP | op | BPF_K
_RET = 0x06  # BPF_RET | BPF_K
RET_ALLOW = 0x7FFF0000
RET_ERRNO = 0x00050000
_OFF_NR, _OFF_ARCH, _OFF_ARG0 = 0, 4, 16  # struct seccomp_data; arguments' low words (LE)

Insn = tuple[int, int, int, int]  # code, jump if true, jump if false, k


def _deny(err: int = errno.EPERM) -> Insn:
    return (_RET, 0, 0, RET_ERRNO | err)


def _allow_if_equal(offset: int, values: tuple[int, ...]) -> list[Insn]:
    """Load a 32-bit word; allow when it is one of ``values``, else EPERM."""
    prog: list[Insn] = [(_LD_ABS_W, 0, 0, offset)]
    for i, value in enumerate(values):  # each test jumps to the ALLOW at the end on a match
        prog.append((_JEQ, len(values) - i, 0, value))
    return [*prog, _deny(), (_RET, 0, 0, RET_ALLOW)]


def _special(name: str) -> list[Insn]:
    """The instructions for a call allowed only with some arguments (the number is matched)."""
    if name == "clone":  # no namespace flags: a nested user namespace is the way to new caps
        load, test = (_LD_ABS_W, 0, 0, _OFF_ARG0), (_JSET, 0, 1, CLONE_NAMESPACE_FLAGS)
        return [load, test, _deny(), (_RET, 0, 0, RET_ALLOW)]
    if name == "clone3":  # its flags live in memory the filter cannot read: make libc use clone
        return [_deny(errno.ENOSYS)]
    if name in ("socket", "socketpair"):
        return _allow_if_equal(_OFF_ARG0, (AF_UNIX,))
    if name == "personality":
        return _allow_if_equal(_OFF_ARG0, PERSONALITIES)
    raise SeccompUnsupported(f"no argument check for {name!r}")


def _ranges(numbers: list[int]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if ranges and ranges[-1][1] == n - 1:
            ranges[-1] = (ranges[-1][0], n)
        else:
            ranges.append((n, n))
    return ranges


def build(machine: str | None = None) -> list[Insn]:
    """The filter for ``machine`` (default: this one) as a list of BPF instructions.

    Layout: a foreign architecture (or the x32 ABI) is denied; each argument-checked call has a
    block of its own; then a binary search over the allowed numbers' ranges; anything else is
    EPERM, or ENOSYS past ``NEWEST_KNOWN``.

    Raises:
        ValueError: the machine's architecture is not one the policy has numbers for.
    """
    machine = machine or platform.machine()
    table = syscall_table(machine)
    if not table:
        raise SeccompUnsupported(
            f"no seccomp syscall table for {machine!r} (x86_64 and aarch64 only)"
        )
    prog: list[Insn] = [(_LD_ABS_W, 0, 0, _OFF_ARCH), (_JEQ, 1, 0, _AUDIT_ARCH[machine]), _deny()]
    prog.append((_LD_ABS_W, 0, 0, _OFF_NR))
    if machine == "x86_64":  # x32 calls carry the native AUDIT_ARCH and this bit in the number
        prog += [(_JGE, 0, 1, _X32_BIT), _deny()]
    for name in ARGUMENT_CHECKED:
        if name in table:
            block = _special(name)
            prog.append((_JEQ, 0, len(block), table[name]))
            prog += block  # every block ends in RET, so A still holds the number after it
    prog += _search(_ranges([table[n] for n in ALLOWED if n in table]), last=True)
    if any(jt > 255 or jf > 255 for _, jt, jf, _ in prog):  # pragma: no cover - a policy bug
        raise SeccompUnsupported("seccomp program: a jump is too long for classic BPF")
    return prog


def _search(ranges: list[tuple[int, int]], last: bool) -> list[Insn]:
    """Allow the numbers in ``ranges`` (ascending) by binary search, then a linear scan.

    A few comparisons per call instead of one per range: cheaper on kernels without seccomp's
    action cache (before 5.11) and for the kernel building that cache when the filter loads.
    ``last``: this is the highest part, where a number above every range may be newer than the
    policy (ENOSYS) rather than unknown to it (EPERM).
    """
    if len(ranges) > 4:
        mid = len(ranges) // 2
        left = _search(ranges[:mid], last=False)
        return [(_JGE, len(left), 0, ranges[mid][0]), *left, *_search(ranges[mid:], last)]
    prog: list[Insn] = []
    for low, high in ranges:
        prog += [(_JGT, 3, 0, high), (_JGE, 0, 1, low), (_RET, 0, 0, RET_ALLOW), _deny()]
    if last:
        return [*prog, (_JGT, 0, 1, NEWEST_KNOWN), _deny(errno.ENOSYS), _deny()]
    return [*prog, _deny()]


def _pack(prog: list[Insn]) -> bytes:
    return b"".join(struct.pack("=HBBI", *insn) for insn in prog)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


_PR_GET_SECCOMP = 21
_PR_SET_SECCOMP = 22
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_MODE_FILTER = 2
_libc = ctypes.CDLL(None, use_errno=True)
_libc.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4


def _compiled() -> tuple[bytes, str]:
    try:
        return _pack(build()), ""
    except SeccompUnsupported as exc:
        return b"", str(exc)


_PROGRAM, _UNSUPPORTED = _compiled()  # built once, in the zygote; runners inherit it
_BUFFER = ctypes.create_string_buffer(_PROGRAM, max(len(_PROGRAM), 1))


def install() -> None:
    """Apply the filter to this process and everything it will start.

    Sets ``no_new_privs`` first (the kernel requires it of an unprivileged caller, and it keeps
    a set-uid program from shedding the filter). Must run single-threaded (the runner is).

    Raises:
        OSError: the architecture is unsupported or the kernel refused the filter.
    """
    if not _PROGRAM:
        raise OSError(errno.ENOSYS, f"seccomp: {_UNSUPPORTED}")
    fprog = _SockFprog(len(_PROGRAM) // 8, ctypes.addressof(_BUFFER))
    for option, arg in (
        (_PR_SET_NO_NEW_PRIVS, 1),
        (_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER),
    ):
        extra = ctypes.addressof(fprog) if option == _PR_SET_SECCOMP else 0
        if _libc.prctl(option, arg, extra, 0, 0) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"seccomp: prctl {option}: {os.strerror(err)}")


def _self_test() -> str:
    """Install the filter in a child and check a denied, an allowed and a redirected call."""
    table = syscall_table(platform.machine())
    checks = (
        ("keyctl", (0, 0, 0), errno.EPERM),  # KEYCTL_GET_KEYRING_ID of the thread keyring
        ("socket", (2, 1, 0), errno.EPERM),  # AF_INET
        ("clone3", (0, 0), errno.ENOSYS),
    )
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            install()
            code = 2 if os.getpid() <= 0 else 0
            for i, (name, args, want) in enumerate(checks):
                if _libc.syscall(table[name], *args) != -1 or ctypes.get_errno() != want:
                    code = 10 + i
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code == 0:
        return ""
    if code == 1:
        return "the kernel refused the filter (no CONFIG_SECCOMP_FILTER?)"
    if code >= 10:
        return f"the filter did not deny {checks[code - 10][0]} as it should"
    return f"the filter self-test failed (exit status {code})"


def probe() -> dict[str, Any]:
    """Can this host apply the filter? What it is, for the isolation record and self-check.

    Returns ``available`` (bool), ``mode`` (``"filter"`` or ``"unavailable"``), ``arch``,
    ``allowed_syscalls`` (names allowed outright on this architecture), ``argument_checked``,
    ``rules`` (calls with a rule of their own: the two together), ``instructions`` (length
    of the BPF program), ``default_action`` and, when unavailable, ``reason``. Forks one child
    that installs the filter and checks it (a few milliseconds). Never raises.
    """
    machine = platform.machine()
    table = syscall_table(machine)
    info: dict[str, Any] = {
        "available": False,
        "mode": "unavailable",
        "arch": machine,
        "allowed_syscalls": sum(1 for n in ALLOWED if n in table),
        "argument_checked": [n for n in ARGUMENT_CHECKED if n in table],
        "rules": sum(1 for n in ALLOWED + ARGUMENT_CHECKED if n in table),
        "instructions": len(_PROGRAM) // 8,
        "default_action": "errno EPERM",
    }
    if not _PROGRAM:
        info["reason"] = _UNSUPPORTED
        return info
    if _libc.prctl(_PR_GET_SECCOMP, 0, 0, 0, 0) < 0:
        info["reason"] = f"the kernel has no seccomp: {os.strerror(ctypes.get_errno())}"
        return info
    try:
        reason = _self_test()
    except OSError as exc:
        reason = f"the filter self-test could not run: {exc}"
    if reason:
        info["reason"] = reason
    else:
        info.update(available=True, mode="filter")
    return info
