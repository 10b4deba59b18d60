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
# connect() calls in strace's output: the family and, for IP sockets, the address.
_CONNECT = re.compile(r'connect\(\d+, \{sa_family=(AF_INET6?)[^}]*?'
                      r'(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)")')
LOOPBACK = {"127.0.0.1", "::1", "::ffff:127.0.0.1"}


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


def side(out: Path, name: str) -> tuple[int, int]:
    """Prints one scan's findings; (findings above low, outside connections)."""
    report_path = out / f"{name}.json"
    print(f"\n== {name} ==")
    if not report_path.exists():
        print(f"  no report: see {out / f'{name}.log'}")
        return 1, 0
    report = json.loads(report_path.read_text())
    infos = report.get("infos", {})
    print(f"  pages crawled: {infos.get('crawled_pages_nbr', '?')}; "
          f"wapiti {infos.get('version', '?')}; scope {infos.get('scope', '?')}")
    above_low = 0
    for section in ("vulnerabilities", "anomalies", "additionals"):
        for category, findings in sorted(report.get(section, {}).items()):
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
    if not any(report.get(section) and any(report[section].values())
               for section in ("vulnerabilities", "anomalies", "additionals")):
        print("  no findings")
    trace = out / f"{name}.connect"
    outside = outside_connections(trace)
    print(f"  connections: {loopback_connections(trace)} to 127.0.0.1, "
          f"{sum(outside.values())} elsewhere{': ' + dict(outside).__repr__() if outside else ''}")
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
