"""Confine a graded submission's processes with Linux Landlock, through ``ctypes``.

A :class:`Confinement` is a Landlock ruleset built in the grader: full access beneath the folders
a submission may change (its box, its report folder), read and execute access beneath the folders
it needs to run (its virtual environment, the Python install, the system's libraries and
configuration files the loader and name lookup need, its own ``/proc/<pid>`` and a few
system-wide ``/proc`` and ``/sys`` files, the dataset folder),
read and write access to a few device
files (``/dev/null``, ...), and nothing anywhere else. Its :meth:`~Confinement.restrict` runs in
the child between ``fork`` and ``exec`` (a ``preexec_fn``): it sets ``no_new_privs`` and enforces
the ruleset on that process and everything it starts. The kernel then refuses, with
``PermissionError``, any write, delete, rename or new file outside the writable folders and any
read outside the readable ones, by absolute path, symlink or hard link alike; with ABI 6 and
newer also signals to processes outside the sandbox (the grader) and abstract Unix sockets made
outside it. Creating device nodes is refused everywhere. The network is left alone: reference
tests may serve files over a local HTTP server (the data module's download tests do).

:func:`probe` says whether this machine supports it: Linux 5.13 or newer with Landlock enabled
(``syscall(444, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)`` returns its ABI version). Elsewhere
the grader reports confinement as unavailable and never claims it.

The syscall numbers (444, 445, 446) are those of every architecture with the unified syscall
table (x86-64, arm64, riscv, ...), see ``include/uapi/asm-generic/unistd.h``.
"""

import ctypes
import os
import sys

CREATE_RULESET, ADD_RULE, RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1
PR_SET_NO_NEW_PRIVS = 38

# LANDLOCK_ACCESS_FS_*, include/uapi/linux/landlock.h
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK = 1 << 8, 1 << 9, 1 << 10, 1 << 11
MAKE_SYM, REFER, TRUNCATE, IOCTL_DEV = 1 << 12, 1 << 13, 1 << 14, 1 << 15
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

READ = EXECUTE | READ_FILE | READ_DIR
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV  # the rights a rule on a file may hold
DEVICE_NODES = MAKE_CHAR | MAKE_BLOCK  # never granted: a device node in the box would reach the disk

# Of /proc only a few system-wide files and the process's own folder (added by restrict): as root,
# /proc/<grader pid>/environ would otherwise be readable. Of /sys only what CPU detection reads.
SYSTEM_READ = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/sys/devices/system/cpu", "/sys/fs/cgroup",
               *(f"/proc/{name}" for name in ("cpuinfo", "meminfo", "stat", "loadavg", "uptime", "version")))
# Of /etc only what the loader, time zones, name and user lookup, locales, fonts, CA certificates
# and the standard library's mimetypes (urllib's file:// handler) read: a grader run as root could
# otherwise hand /etc/shadow to a submission that prints it into its feedback.
ETC_READ = tuple(f"/etc/{name}" for name in (
    "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "nsswitch.conf", "hosts",
    "host.conf", "gai.conf", "resolv.conf", "passwd", "group", "locale.alias", "os-release", "fonts",
    "ssl/certs", "ssl/openssl.cnf", "pki/tls/certs", "ca-certificates", "mime.types", "httpd/mime.types",
    "httpd/conf/mime.types", "apache/mime.types", "apache2/mime.types"))
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")


class ConfinementError(OSError):
    """Landlock refused a ruleset or a rule."""


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1  # the kernel's struct is __attribute__((packed)): 12 bytes
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    libc.prctl.restype = ctypes.c_int
    return libc


def probe():
    """``(abi, None)`` when Landlock can confine processes here, else ``(None, reason)``."""
    if not sys.platform.startswith("linux"):
        return None, f"Landlock is a Linux feature; this is {sys.platform}"
    try:
        libc = _libc()
    except OSError as exc:
        return None, f"cannot load the C library: {exc}"
    abi = libc.syscall(CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION))
    if abi < 0:
        errno = ctypes.get_errno()
        why = {38: "the kernel has no Landlock (Linux 5.13 or newer is needed)",
               95: "Landlock is built in but not enabled (add landlock to the lsm= boot parameter)"}
        return None, why.get(errno, f"landlock_create_ruleset failed: {os.strerror(errno)}")
    return int(abi), None


def handled_fs(abi):
    """Every file-system right the kernel of ``abi`` knows, so each one is denied unless granted."""
    rights = (1 << 13) - 1
    rights |= REFER if abi >= 2 else 0
    rights |= TRUNCATE if abi >= 3 else 0
    rights |= IOCTL_DEV if abi >= 5 else 0
    return rights


def python_folders():
    """The folders of the running Python install (the venvs the grader makes point at it)."""
    import sysconfig

    folders = {sys.base_prefix, sys.base_exec_prefix, os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))}
    for key in ("stdlib", "platstdlib"):
        folders.add(sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_exec_prefix})[key])
    return sorted(os.path.realpath(f) for f in folders)


class Confinement:
    """A Landlock ruleset for one submission; build it in the grader, enforce it in the child.

    Args:
        writable: folders beneath which the submission may do anything but create device nodes.
        readable: folders beneath which it may read files, list folders and execute programs.
        abi: the Landlock ABI (:func:`probe`).

    Missing folders are left out. Call :meth:`close` when every process using it has started.

    Example::

        abi, reason = probe()
        if abi:
            with Confinement([box], [venv, *python_folders()], abi) as confinement:
                subprocess.run(cmd, preexec_fn=confinement.restrict)
    """

    def __init__(self, writable, readable, abi):
        self.abi = abi
        self._libc = _libc()
        fs = handled_fs(abi)
        attr = _RulesetAttr(fs, 0, SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0)
        size = 24 if abi >= 6 else 16 if abi >= 4 else 8  # the struct grew with each ABI
        self.fd = self._call(CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0),
                             what="landlock_create_ruleset")
        try:
            for folder in writable:
                self._allow(folder, fs & ~DEVICE_NODES)
            for folder in (*readable, *SYSTEM_READ, *ETC_READ):
                self._allow(folder, READ)
            for device in DEVICES:
                self._allow(device, fs & (READ_FILE | WRITE_FILE | TRUNCATE | IOCTL_DEV))
        except BaseException:
            self.close()
            raise

    def _call(self, number, *args, what):
        result = self._libc.syscall(number, *args)
        if result < 0:
            errno = ctypes.get_errno()
            raise ConfinementError(errno, f"{what} failed: {os.strerror(errno)}")
        return int(result)

    def _allow(self, path, rights):
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except FileNotFoundError:
            return
        try:
            if not os.path.isdir(path):
                rights &= FILE_RIGHTS
            rule = _PathBeneathAttr(rights, fd)
            self._call(ADD_RULE, ctypes.c_int(self.fd), ctypes.c_int(RULE_PATH_BENEATH), ctypes.byref(rule),
                       ctypes.c_uint32(0), what=f"landlock_add_rule({path})")
        finally:
            os.close(fd)

    def restrict(self):
        """Enforce the ruleset on the calling process and its future children (a ``preexec_fn``).

        The process may read its own ``/proc/<pid>``; processes it starts may not read theirs.

        Raises:
            ConfinementError: the kernel refused; the child then never runs unconfined.
        """
        self._allow(f"/proc/{os.getpid()}", READ)  # its own /proc/self, for this process only
        if self._libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise ConfinementError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        self._call(RESTRICT_SELF, ctypes.c_int(self.fd), ctypes.c_uint32(0), what="landlock_restrict_self")

    def close(self):
        if self.fd is not None and self.fd >= 0:
            os.close(self.fd)
        self.fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def describe(abi, reason):
    """One line for the console and the gradebook: what confinement each submission runs under."""
    if abi is None:
        return (f"unavailable ({reason}): each submission runs with resource limits only and can write "
                f"wherever your user can")
    extra = ", no signals to the grader" if abi >= 6 else ""
    return (f"Landlock ABI {abi}: writes only in the submission's own folder, reads only its environment, "
            f"Python and system folders{extra}")
