"""The quality gates every page of a journey must pass, measured in the browser itself.

- accessibility: axe-core finds no violation of the WCAG 2.0, 2.1 and 2.2 A and AA rules;
- weight: a public page transfers at most 30 KB in all, its HTML at most 14 KB (what fits
  in the first round trip of a new connection), counted from Chromium's own network log
  as bytes on the wire (headers and compressed bodies), with the cache off, so each page
  is weighed as if it were the first one opened;
- one origin: no request leaves the app's own origin;
- no console errors (a Content-Security-Policy violation is one) and no script errors.
"""

from __future__ import annotations

import csv
import re
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from consult.config import PROJECT_ROOT

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGE_BUDGET = 30 * 1024
HTML_BUDGET = 14 * 1024
PAGE_WEIGHTS = PROJECT_ROOT / "artifacts" / "page-weights.csv"


class GateFailed(AssertionError):
    pass


@dataclass
class Transfer:
    url: str
    resource_type: str
    encoded_bytes: int = 0
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    finished: bool = False


@dataclass(frozen=True)
class Weight:
    total: int
    html: int
    transfers: tuple[Transfer, ...]

    def describe(self) -> str:
        return "; ".join(f"{t.resource_type} {urlsplit(t.url).path} {t.encoded_bytes} B"
                         for t in self.transfers)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class NetworkLog:
    """Chromium's network events for one page, from the DevTools protocol."""

    def __init__(self, context, page):
        self.transfers: dict[str, Transfer] = {}
        self.every_url: list[str] = []
        session = context.new_cdp_session(page)
        session.on("Network.requestWillBeSent", self._request)
        session.on("Network.responseReceived", self._response)
        session.on("Network.loadingFinished", self._finished)
        session.on("Network.loadingFailed", self._failed)
        session.send("Network.enable")
        session.send("Network.setCacheDisabled", {"cacheDisabled": True})

    def _request(self, event: dict) -> None:
        self.every_url.append(event["request"]["url"])
        redirect = event.get("redirectResponse")
        earlier = self.transfers.get(event["requestId"])
        carried = earlier.encoded_bytes if earlier else 0
        if redirect:
            # A redirect keeps its request id; its own bytes still crossed the wire.
            carried += int(redirect.get("encodedDataLength", 0))
        self.transfers[event["requestId"]] = Transfer(
            url=event["request"]["url"], resource_type=event.get("type", "Other"),
            encoded_bytes=carried)

    def _response(self, event: dict) -> None:
        transfer = self.transfers.get(event["requestId"])
        if transfer:
            transfer.status = event["response"]["status"]
            transfer.headers = {k.lower(): v for k, v in event["response"]["headers"].items()}

    def _finished(self, event: dict) -> None:
        transfer = self.transfers.get(event["requestId"])
        if transfer:
            transfer.encoded_bytes += int(event["encodedDataLength"])
            transfer.finished = True

    def _failed(self, event: dict) -> None:
        transfer = self.transfers.get(event["requestId"])
        if transfer:
            transfer.finished = True

    def forget(self) -> None:
        self.transfers.clear()
        self.every_url.clear()

    def settle(self, page, timeout: float = 5.0) -> None:
        """Waits until every request the page started has finished or failed."""
        deadline = time.monotonic() + timeout
        while any(not t.finished for t in self.transfers.values()):
            if time.monotonic() > deadline:
                waiting = [t.url for t in self.transfers.values() if not t.finished]
                raise GateFailed(f"requests never finished: {waiting}")
            page.wait_for_timeout(20)

    def weight(self) -> Weight:
        transfers = tuple(t for t in self.transfers.values() if not t.url.startswith("data:"))
        documents = [t for t in transfers if t.resource_type == "Document"]
        return Weight(total=sum(t.encoded_bytes for t in transfers),
                      html=documents[-1].encoded_bytes if documents else 0,
                      transfers=transfers)


class Gates:
    """Runs the gates on a page each time a journey arrives somewhere new."""

    def __init__(self, context, page, app_url: str, *, javascript: bool = True):
        self.page = page
        self.app_origin = _origin(app_url)
        self.javascript = javascript
        self.network = NetworkLog(context, page)
        self.console_errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(f"script error: {error}"))
        self.checked: list[str] = []
        self.weights: dict[str, tuple[str, Weight]] = {}

    def _console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def begin(self) -> None:
        """Call before the action that leads to the next page."""
        self.network.forget()
        self.console_errors.clear()

    def check(self, step: str, *, public: bool = True) -> None:
        """All the gates, on the page the journey has just arrived at."""
        self.page.wait_for_load_state("load")
        self.network.settle(self.page)
        where = f"{step} ({urlsplit(self.page.url).path})"
        self.check_one_origin(where)
        if self.console_errors:
            raise GateFailed(f"{where}: console errors {self.console_errors}")
        if public:
            self.weights[step] = (urlsplit(self.page.url).path, self.check_weight(where))
        if self.javascript:
            self.check_accessible(where)
        self.checked.append(step)

    def check_one_origin(self, where: str) -> None:
        elsewhere = sorted({url for url in self.network.every_url
                            if not url.startswith("data:") and _origin(url) != self.app_origin})
        if elsewhere:
            raise GateFailed(f"{where}: requests to other origins: {elsewhere}")

    def check_weight(self, where: str) -> Weight:
        weight = self.network.weight()
        if weight.html > HTML_BUDGET:
            raise GateFailed(f"{where}: the HTML is {weight.html} bytes on the wire, over "
                             f"the {HTML_BUDGET} byte budget ({weight.describe()})")
        if weight.total > PAGE_BUDGET:
            raise GateFailed(f"{where}: the page is {weight.total} bytes on the wire, over "
                             f"the {PAGE_BUDGET} byte budget ({weight.describe()})")
        return weight

    def check_accessible(self, where: str) -> None:
        violations = axe_violations(self.page)
        if violations:
            raise GateFailed(f"{where}: axe-core found {describe_violations(violations)}")


@cache
def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


@cache
def axe_init_script() -> str:
    """axe-core for every document of a page but the blank one each new page opens with,
    which no gate checks: running it there was about 0.15 s of CPU for each phone."""
    return f"if (location.protocol !== 'about:') {{\n{axe_source()}\n}}"


def axe_violations(page) -> list[dict]:
    """Runs axe-core, which the harness adds to every page of a JavaScript-enabled phone
    before the page's own content (`axe_init_script`), or injects it here when it is
    missing."""
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    # One round trip when axe-core is there already (null when it is not).
    run = ("(options) => typeof window.axe === 'object'"
           " ? axe.run(options).then(r => r.violations) : null")
    violations = page.evaluate(run, options)
    if violations is None:
        page.evaluate(axe_source())
        violations = page.evaluate(run, options)
    return violations


def describe_violations(violations: list[dict]) -> str:
    return "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:3])
        for v in violations)


# After each Tab: the focused element's look, and how the element focused before it looks
# now that focus has left it (to tell a focus ring from a shadow it always has).
FOCUS_STEP = """() => {
  const look = (element) => {
    const style = getComputedStyle(element);
    return {boxShadow: style.boxShadow, background: style.backgroundColor};
  };
  const previous = window.__gatesLastFocused;
  const before = previous ? look(previous) : null;
  const element = document.activeElement;
  if (!element || element === document.body) return {before, focused: null};
  window.__gatesLastFocused = element;
  const style = getComputedStyle(element);
  let around = element.parentElement, surrounding = 'rgb(255, 255, 255)';
  for (; around; around = around.parentElement) {
    const colour = getComputedStyle(around).backgroundColor;
    if (!/^rgba\\(.*, 0\\)$/.test(colour) && colour !== 'transparent') {
      surrounding = colour; break;
    }
  }
  const group = element.name ? document.getElementsByName(element.name) : [];
  return {before, focused: {
    outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
    outlineColor: style.outlineColor, ...look(element), surrounding,
    tag: element.tagName.toLowerCase(), type: element.type || '', name: element.name || '',
    unanswered: [...group].every(input => !input.checked) && !element.value,
    isPrimary: element.matches('main .button[type=submit], main a.button')}};
}"""


def _rgb(colour: str) -> tuple[float, float, float, float]:
    numbers = [float(n) for n in re.findall(r"[\d.]+", colour)]
    red, green, blue = numbers[:3]
    return red, green, blue, numbers[3] if len(numbers) > 3 else 1.0


def _luminance(colour: str) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue, _alpha = _rgb(colour)
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two opaque colours given as CSS rgb()."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def focus_is_visible(focused: dict, unfocused: dict) -> bool:
    """An outline that stands out 3:1 from what is around it (WCAG 1.4.11), or a ring or
    background the element has only while focused."""
    outline = (focused["outlineStyle"] not in ("none", "hidden") and focused["outlineWidth"] >= 2
               and _rgb(focused["outlineColor"])[3] > 0
               and contrast(focused["outlineColor"], focused["surrounding"]) >= 3)
    ring = focused["boxShadow"] not in ("none", unfocused["boxShadow"])
    background = focused["background"] != unfocused["background"]
    return outline or ring or background


# WCAG 2.x relative luminance and contrast ratio, of an element's text against the first
# opaque background behind it (the page's white when none is set).
_CONTRAST = """(element) => {
  const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const [R, G, B] = [r, g, b].map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  let behind = [255, 255, 255];
  for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
    const colour = rgb(getComputedStyle(node).backgroundColor);
    if (colour.length === 3 || colour[3] === 1) { behind = colour.slice(0, 3); break; }
  }
  const front = luminance(rgb(getComputedStyle(element).color).slice(0, 3));
  const back = luminance(behind);
  return (Math.max(front, back) + 0.05) / (Math.min(front, back) + 0.05);
}"""


def contrast_ratio(locator) -> float:
    """The contrast of this element's text with what is behind it, as Chromium draws it."""
    return locator.evaluate(_CONTRAST)


def write_page_weights(rows: list) -> None:
    """Every public page weighed in the run, one (test, step, path, bytes in all, HTML bytes)
    row each, to artifacts/page-weights.csv: once per run, by xdist's controller if any."""
    PAGE_WEIGHTS.parent.mkdir(exist_ok=True)
    with PAGE_WEIGHTS.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("test", "step", "path", "bytes_in_all", "html_bytes"))
        writer.writerows(rows)
