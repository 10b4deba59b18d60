"""Print what bench/scan.sh found: wapiti's findings, the server's answers, outside connections.

    .venv/bin/python bench/scan_report.py artifacts/scan public iro admin

Exits 1 if wapiti connected anywhere but 127.0.0.1, if the server answered any request
with a 5xx, or if a finding is above low (wapiti's level 2 or more).
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

LEVELS = {0: "info", 1: "low", 2: "medium", 3: "high", 4: "critical"}
# connect() calls in strace's output, and datagrams sent to an address named in the call
# (sendto, sendmsg): the family and, for IP sockets, the address.
_CONNECT = re.compile(r'(?:connect|sendto|sendmsg|sendmmsg)\(\d+, .*?\{sa_family=(AF_INET6?)[^}]*?'
                      r'(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)")')
LOOPBACK = {"127.0.0.1", "::1", "::ffff:127.0.0.1"}
# A line of `strace -f`: the process, the call and its first argument (the descriptor).
_CALL = re.compile(r'^(\d+) +(connect|sendto|sendmsg|sendmmsg)\((\d+), ')
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPES = {"n": 10, "t": 9, "r": 13, "v": 11, "f": 12, '"': 34, "\\": 92}


def _bytes(literal: str) -> bytes:
    """The bytes of a string as strace -x prints it (\\xHH for the unprintable ones)."""
    out, index = bytearray(), 0
    while index < len(literal):
        char = literal[index]
        if char == "\\" and index + 1 < len(literal):
            following = literal[index + 1]
            if following == "x":
                out.append(int(literal[index + 2:index + 4], 16))
                index += 4
                continue
            out.append(_ESCAPES.get(following, ord(following)))
            index += 2
            continue
        out.extend(char.encode())
        index += 1
    return bytes(out)


def _query_name(packet: bytes) -> str | None:
    """The name a DNS query asks for (its first question), if the packet is one."""
    if len(packet) < 17 or packet[2] & 0x80 or packet[4:6] == b"\0\0":
        return None
    labels, index = [], 12
    while index < len(packet) and packet[index]:
        length = packet[index]
        labels.append(packet[index + 1:index + 1 + length].decode("ascii", "replace"))
        index += 1 + length
    return ".".join(labels) or None


def dns_names(trace: Path) -> Counter:
    """The names looked up in DNS: what was sent on sockets connected to port 53."""
    names: Counter = Counter()
    if not trace.exists():
        return names
    resolvers: set[tuple[str, str]] = set()
    for line in trace.read_text(errors="replace").splitlines():
        call = _CALL.match(line)
        if not call:
            continue
        process, name, descriptor = call.groups()
        if name == "connect":
            if "htons(53)" in line:
                resolvers.add((process, descriptor))
            else:
                resolvers.discard((process, descriptor))
        elif (process, descriptor) in resolvers or "htons(53)" in line:
            for literal in _STRING.findall(line):
                if found := _query_name(_bytes(literal)):
                    names[found] += 1
    return names


def outside_connections(trace: Path) -> Counter:
    found: Counter = Counter()
    if not trace.exists():
        return found
    for line in trace.read_text(errors="replace").splitlines():
        match = _CONNECT.search(line)
        if match:
            address = match[2] or match[3]
            if address not in LOOPBACK:
                found[address] += 1
    return found


def loopback_connections(trace: Path) -> int:
    if not trace.exists():
        return 0
    return sum(1 for line in trace.read_text(errors="replace").splitlines()
               if (match := _CONNECT.search(line)) and (match[2] or match[3]) in LOOPBACK)


def _findings(report: dict) -> dict[tuple[str, str], list[dict]]:
    found: dict[tuple[str, str], list[dict]] = {}
    for section in ("vulnerabilities", "anomalies", "additionals"):
        for category, items in report.get(section, {}).items():
            found.setdefault((section, category), []).extend(items or [])
    return found


def side(out: Path, name: str) -> tuple[int, int]:
    """Prints one side's findings, every module's report merged; (above low, outside)."""
    print(f"\n== {name} ==")
    reports = {path.stem.removeprefix(f"{name}-"): json.loads(path.read_text())
               for path in sorted(out.glob(f"{name}-*.json"))}
    if "crawl" not in reports:
        print(f"  no crawl report: see {out / f'{name}-crawl.log'}")
        return 1, 0
    infos = reports["crawl"].get("infos", {})
    print(f"  pages crawled: {infos.get('crawled_pages_nbr', '?')}; "
          f"wapiti {infos.get('version', '?')}; scope {infos.get('scope', '?')}; "
          f"modules reported: {', '.join(sorted(set(reports) - {'crawl'})) or 'none'}")
    merged: dict[tuple[str, str], dict[tuple, dict]] = {}
    for report in reports.values():
        for key, items in _findings(report).items():
            for item in items:
                identity = (item.get("method"), item.get("path"), item.get("parameter"),
                            item.get("info"))
                merged.setdefault(key, {})[identity] = item
    above_low = 0
    for (section, category), items in sorted(merged.items()):
        findings = list(items.values())
        if not findings:
            continue
        levels = Counter(LEVELS.get(finding.get("level"), "?") for finding in findings)
        print(f"  {section}: {category}: {len(findings)} "
              f"({', '.join(f'{count} {level}' for level, count in sorted(levels.items()))})")
        for finding in findings[:5]:
            print(f"      {finding.get('method')} {finding.get('path')} "
                  f"[{finding.get('parameter') or '-'}] {finding.get('info', '')[:140]}")
        above_low += sum(1 for finding in findings
                         if isinstance(finding.get("level"), int) and finding["level"] >= 2)
    if not any(merged.values()):
        print("  no findings")
    outside: Counter = Counter()
    looked_up: Counter = Counter()
    loopback = 0
    for trace in sorted(out.glob(f"{name}-*.connect")):
        found = outside_connections(trace)
        if found:
            print(f"      {trace.name}: {dict(found)}")
        outside += found
        looked_up += dns_names(trace)
        loopback += loopback_connections(trace)
    print(f"  connections: {loopback} to 127.0.0.1, {sum(outside.values())} elsewhere"
          + (f": {dict(outside)}" if outside else ""))
    if looked_up:
        print(f"  names looked up in DNS: {dict(looked_up)}")
    return above_low, sum(outside.values())


def main() -> None:
    out = Path(sys.argv[1])
    above_low = outside = 0
    for name in sys.argv[2:]:
        found, elsewhere = side(out, name)
        above_low += found
        outside += elsewhere
    server = json.loads((out / "server.json").read_text()) \
        if (out / "server.json").exists() else {}
    print("\n== the server ==")
    print(f"  requests answered: {server.get('requests', '?')}")
    print("  by status: " + ", ".join(f"{status} {count}" for status, count in sorted(
        server.get("statuses", {}).items())))
    errors = server.get("server_errors", {})
    print(f"  5xx: {sum(errors.values())}" + (f" {errors}" if errors else ""))
    failed = bool(above_low or outside or errors or not server)
    print(f"\n{'FAILED' if failed else 'OK'}: {above_low} findings above low, "
          f"{sum(errors.values())} server errors, {outside} connections outside 127.0.0.1")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
