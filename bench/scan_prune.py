"""What the signed-in scans of bench/scan.sh leave out, so that every module finishes.

    .venv/bin/python bench/scan_prune.py --exclusions artifacts/scan/target.json
    .venv/bin/python bench/scan_prune.py artifacts/scan/session-iro artifacts/scan/target.json \\
        > artifacts/scan/iro-pruned.txt

`--exclusions` prints the addresses (wapiti's `-x` patterns, `*` any text) the signed-in
crawls leave alone:
- `/staff/...?lang=...` (and `&lang=`): the staff side never reads `lang` (it is always in
  English, `consult.i18n.requested_locale`); the public side's scan attacks `lang` on each
  public page;
- the voice-clip pages (`/staff/voices/<language>` and `/staff/voices/<language>/<slot>`,
  a page and an upload form for each of 324 slots in each of 13 languages, 4,200 pages of
  one view) but those of one language (the first after English) and, in it, the first slot
  of each child form: every route of the voice-clip pages, and the upload and remove forms,
  is still crawled and attacked, once per form.

Without them a signed-in crawl finds 8,000 to 11,000 addresses, most of them these.

Then, after the crawl (the second form above), it prunes wapiti's session:
wapiti's session database holds every address and form the crawl found: the
same edit form once per child, the same upload form once per voice clip, the caseload's
search form once per page it is on with the values of that page, the reports' period
links once per year. Its attack modules attack each of them, all of their parameters,
with every payload: thousands of times the same code with the same parameter names.

This keeps, of the crawled requests that carry parameters (a query string, a form's
fields or files), one per
  (method, the app's route the path matches, enctype, the names of its query-string
   parameters, of its form fields, of its files),
the one found first (least deep, then first crawled), and deletes the others from the
session, so that every route is attacked once per method and per set of parameter names,
each parameter by name. The values the others carried are not attacked: they were values
the app itself wrote into its own links and forms (another child's id in the path, another
year, another page number) and go through the same code as the one kept. An address that
matches no route is kept as it is. Requests without parameters are all kept (the modules
that look at every page, such as permanentxss, backup and methods, still see each one),
and every request pruned here was crawled (fetched once) before, so a 5xx on it is still
in the server's log.

Prints each kept request with how many it stands for, and a last line of totals.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, RequestRedirect, Rule


def route_of(adapter, path: str) -> str:
    """The app's route (its rule) that the path matches, or the path itself."""
    try:
        rule, _ = adapter.match(path)
    except (RequestRedirect, HTTPException):
        return f"(no route) {path}"
    return rule


def prune(database: Path, routes: list[str]) -> tuple[list[str], int, int]:
    adapter = Map([Rule(route, endpoint=route) for route in routes]).bind("scan.invalid")
    connection = sqlite3.connect(database)
    names: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path_id, kind, name in connection.execute("SELECT path_id, type, name FROM params"):
        names[path_id][kind].add(name)
    groups: dict[tuple, list[tuple[int, int, str]]] = defaultdict(list)
    for path_id, url, method, enctype, depth in connection.execute(
            "SELECT path_id, path, method, enctype, depth FROM paths WHERE evil = 0"):
        if path_id not in names:
            continue
        found = names[path_id]
        key = (method, route_of(adapter, urlsplit(url).path), enctype,
               *(tuple(sorted(found.get(kind, ()))) for kind in ("GET", "POST", "FILE")))
        groups[key].append((depth, path_id, url))
    lines = []
    dropped: list[int] = []
    for key, requests in sorted(groups.items()):
        requests.sort()
        dropped.extend(path_id for _, path_id, _ in requests[1:])
        method, route, _, query, fields, files = key
        lines.append(f"{len(requests):6d} -> 1  {method} {route}  query={','.join(query) or '-'}"
                     f"  fields={','.join(fields) or '-'}  files={','.join(files) or '-'}"
                     f"  (kept {urlsplit(requests[0][2]).path})")
    with connection:
        for start in range(0, len(dropped), 500):
            chunk = dropped[start:start + 500]
            marks = ",".join("?" * len(chunk))
            connection.execute(f"DELETE FROM params WHERE path_id IN ({marks})", chunk)
            connection.execute(f"DELETE FROM paths WHERE path_id IN ({marks})", chunk)
    connection.close()
    return lines, len(groups), len(dropped)


def exclusions(target: dict) -> list[str]:
    base = target["base"]
    kept_language = next(code for code in target["languages"] if code != "en_GB")
    patterns = [f"{base}/staff/*?lang=*", f"{base}/staff/*&lang=*"]
    for code in target["languages"]:
        if code != kept_language:
            patterns += [f"{base}/staff/voices/{code}", f"{base}/staff/voices/{code}/*"]
    first_of_each_form = {slot.split(".")[0]: slot for slot in reversed(target["voice_slots"])}
    patterns += [f"{base}/staff/voices/{kept_language}/{slot}" for slot in target["voice_slots"]
                 if slot not in first_of_each_form.values()]
    return patterns


def main() -> None:
    if sys.argv[1] == "--exclusions":
        print("\n".join(exclusions(json.loads(Path(sys.argv[2]).read_text()))))
        return
    session, target = Path(sys.argv[1]), Path(sys.argv[2])
    databases = sorted(session.glob("*.db"))
    if len(databases) != 1:
        sys.exit(f"expected one wapiti session database in {session}, found {len(databases)}")
    lines, kept, dropped = prune(databases[0], json.loads(target.read_text())["routes"])
    print("\n".join(lines))
    print(f"requests with parameters: {kept + dropped} crawled, {kept} kept for the attacks, "
          f"{dropped} dropped as repeats")


if __name__ == "__main__":
    main()
