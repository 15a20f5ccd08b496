#!/usr/bin/python3
"""on_terminal.py TIMEOUT COMMAND...: runs COMMAND with a pseudo-terminal as stdin; prints the
exit status, the stdout byte count, the first stderr line (read before Ctrl-D is typed, within
TIMEOUT seconds), then the rest of stderr. For the tools' hint on a terminal stdin."""
import os, pty, select, subprocess, sys
m, s = pty.openpty()
p = subprocess.Popen(sys.argv[2:], stdin=s, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
os.close(s)
first = b""
if select.select([p.stderr], [], [], float(sys.argv[1]))[0]:
    first = p.stderr.readline()
os.write(m, b"\x04")
out, err = p.communicate(timeout=60)
os.close(m)
sys.stdout.write("%d\n%d\n%s%s" % (p.returncode, len(out), first.decode(), err.decode()))
