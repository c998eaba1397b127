#!/usr/bin/env python3
"""Recreates bundle.tar.gz and plain.tar (deterministic: fixed mtimes, owners and gzip header)."""
import gzip, io, os, tarfile

HERE = os.path.dirname(os.path.abspath(__file__))


def make(path, entries, gz):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, (kind, data, mode, uid) in entries.items():
            info = tarfile.TarInfo(name)
            info.mtime, info.uid, info.gid, info.mode = 1700000000, uid, uid, mode
            info.uname = info.gname = ""
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif kind == "sym":
                info.type, info.linkname = tarfile.SYMTYPE, data
                tar.addfile(info)
            else:
                raw = data.encode()
                info.size = len(raw)
                tar.addfile(info, io.BytesIO(raw))
    raw = buf.getvalue()
    if gz:
        out = io.BytesIO()
        with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as zipped:
            zipped.write(raw)
        raw = out.getvalue()
    with open(os.path.join(HERE, path), "wb") as f:
        f.write(raw)


make("bundle.tar.gz", {
    "bundle": ("dir", "", 0o755, 0),
    "bundle/readme.txt": ("file", "inside the archive\n", 0o644, 0),
    "bundle/bin": ("dir", "", 0o750, 1000),
    "bundle/bin/run.sh": ("file", "#!/bin/sh\necho run\n", 0o755, 1000),
    "bundle/link": ("sym", "readme.txt", 0o777, 0),
}, True)
make("plain.tar", {"p.txt": ("file", "plain tar\n", 0o600, 7)}, False)
