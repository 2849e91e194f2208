"""Accessibility checks with axe-core (from npm, in tests/browser/node_modules)."""

from __future__ import annotations

from pathlib import Path

AXE = (
    Path(__file__).resolve().parent.parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
)
SNAPSHOT_PATH = "/__axe_snapshot__"


def serious_violations(axe_page, base_url: str, html: str) -> list[str]:
    """Run axe over a page's HTML, served at the live app's origin so its CSS loads.

    The journey runs with JavaScript off, as some visitors do; axe needs it on, so each page
    is replayed in a second, scripted page (CSP bypassed for the injected script).
    """
    url = base_url + SNAPSHOT_PATH
    axe_page.route(
        url, lambda route: route.fulfill(status=200, content_type="text/html", body=html)
    )
    try:
        axe_page.goto(url)
        axe_page.add_script_tag(path=str(AXE))
        results = axe_page.evaluate("async () => await axe.run(document)")
    finally:
        axe_page.unroute(url)
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes']]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
