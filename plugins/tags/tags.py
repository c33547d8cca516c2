#!/usr/bin/env python3
"""Wave Studio plugin: artist/title/album/genre via ffprobe.

Reads one JSON request on stdin ({"protocol": 1, "file": ..., "params":
{...}, "prior": {...}}) and writes one JSON reply on stdout
({"values": {...}}), or {"error": "..."} when the file has no readable
format. Python 3 standard library only; needs ffprobe on PATH.
"""
import json
import subprocess
import sys

FIELDS = ("artist", "title", "album", "genre")


def read_tags(path):
    """The file's format tags with lower-case keys (stream tags as a
    fallback: Ogg/Opus keep them there)."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json",
         "-show_format", "-show_streams", path],
        capture_output=True, text=True, timeout=15,
    )
    if out.returncode != 0:
        raise ValueError("ffprobe cannot read the file: " + out.stderr.strip())
    info = json.loads(out.stdout or "{}")
    tags = {}
    for stream in info.get("streams", []):
        for k, v in (stream.get("tags") or {}).items():
            tags.setdefault(k.lower(), v)
    for k, v in ((info.get("format") or {}).get("tags") or {}).items():
        tags[k.lower()] = v
    return tags


def main():
    request = json.loads(sys.stdin.readline())
    missing = request.get("params", {}).get("missing", "")
    try:
        tags = read_tags(request["file"])
    except (ValueError, OSError, subprocess.TimeoutExpired) as e:
        json.dump({"error": str(e)}, sys.stdout)
        return
    values = {f: tags.get(f, missing) for f in FIELDS}
    json.dump({"values": values}, sys.stdout)


if __name__ == "__main__":
    main()
