"""Guidance PDF speed: the HTML step, a full PDF with shared resources, and a cold PDF.

Prints one line per figure (median and p90 over ``--runs`` renders, default 15):
- ``html``: ``advisor.guidance.render_html`` (Jinja + formatting) alone;
- ``pdf cached``: ``render_pdf`` as the app calls it (shared FontConfiguration, pre-parsed CSS,
  compiled template, render lock);
- ``pdf cold``: the same HTML through fresh WeasyPrint resources each time (new
  FontConfiguration, CSS parsed again): the in-process baseline;
- the ratio cached/cold of the medians, and the page count and size of the document.

Each line gives wall-clock time and, in brackets, the process CPU time: on a shared, noisy
2-core host the CPU time shows the cost of the render itself when other processes compete.

The document is the Del III WISE cleaning case from tests/fixtures_assessments.py (nb).
Modes are interleaved so that host noise hits them alike. With ``--rss N`` it also renders
N more cached PDFs and prints the resident memory before and after (a leak shows as growth).
Usage: ``.venv/bin/python bench/bench_pdf.py [--runs 15] [--lang nb|en] [--case NAME] [--rss N]``.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import fixtures_assessments as fixtures

T_IMPORT = time.perf_counter()
from advisor import guidance  # imports WeasyPrint (cffi, Pango) too
from advisor.rulebase import load_rulebase

T_IMPORT = time.perf_counter() - T_IMPORT


def figures(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p90 = statistics.quantiles(ordered, n=10, method="inclusive")[8] if len(ordered) > 1 else 0
    return statistics.median(ordered) * 1000, p90 * 1000


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--lang", choices=guidance.LANGS, default="nb")
    parser.add_argument("--case", choices=sorted(fixtures.ALL), default="wise_cleaning_part_iii")
    parser.add_argument("--rss", type=int, default=0, metavar="N")
    args = parser.parse_args()

    warnings: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            warnings.append(record.getMessage())

    logging.getLogger("weasyprint").addHandler(Collect(logging.WARNING))

    assessment = fixtures.ALL[args.case]()
    rulebase = load_rulebase(ROOT / "rules" / "no")
    started = time.perf_counter()
    guidance.warm_up()
    warm = time.perf_counter() - started

    wall: dict[str, list[float]] = {"html": [], "cached": [], "cold": []}
    cpu: dict[str, list[float]] = {"html": [], "cached": [], "cold": []}
    pdf = b""

    def timed(kind, function):
        w0, c0 = time.perf_counter(), time.process_time()
        result = function()
        wall[kind].append(time.perf_counter() - w0)
        cpu[kind].append(time.process_time() - c0)
        return result

    def cold():
        html = guidance.render_html(assessment, args.lang, rulebase=rulebase)
        return guidance.write_pdf(html, args.lang, guidance.build_resources())

    for _ in range(args.runs):
        timed("html", lambda: guidance.render_html(assessment, args.lang, rulebase=rulebase))
        pdf = timed("cached", lambda: guidance.render_pdf(assessment, args.lang, rulebase=rulebase))
        timed("cold", cold)

    # Where a cached render spends its time: layout (render) and PDF writing (with subsetting).
    from weasyprint import HTML

    res = guidance.resources()
    html = guidance.render_html(assessment, args.lang, rulebase=rulebase)
    layout_cpu, write_cpu = [], []
    for _ in range(max(3, args.runs // 3)):
        document = HTML(
            string=html, base_url=guidance.STATIC_DIR.as_uri() + "/", url_fetcher=res.fetcher
        )
        c0 = time.process_time()
        rendered = document.render(
            stylesheets=res.stylesheets[args.lang],
            font_config=res.font_config,
            pdf_variant=guidance.PDF_VARIANT,
        )
        c1 = time.process_time()
        rendered.write_pdf(pdf_variant=guidance.PDF_VARIANT)
        layout_cpu.append(c1 - c0)
        write_cpu.append(time.process_time() - c1)

    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    n, lang = args.runs, args.lang

    def line(kind: str, label: str, digits: int) -> str:
        w_med, w_p90 = figures(wall[kind])
        c_med, c_p90 = figures(cpu[kind])
        return (
            f"guidance {label} ({lang}, n={n}): median {w_med:.{digits}f} ms, "
            f"p90 {w_p90:.{digits}f} ms (cpu median {c_med:.{digits}f} ms, p90 {c_p90:.{digits}f} ms)"
        )

    print(f"guidance import (advisor.guidance with WeasyPrint): {T_IMPORT * 1000:.0f} ms")
    print(f"guidance warm_up (fonts, CSS, template, first render): {warm * 1000:.0f} ms")
    print(line("html", "html", 1))
    print(line("cached", "pdf cached", 0))
    print(line("cold", "pdf cold", 0))
    ratio_wall = statistics.median(wall["cached"]) / statistics.median(wall["cold"])
    ratio_cpu = statistics.median(cpu["cached"]) / statistics.median(cpu["cold"])
    print(f"guidance pdf ratio cached/cold (medians): {ratio_wall:.2f} (cpu {ratio_cpu:.2f})")
    layout_ms = statistics.median(layout_cpu) * 1000
    write_ms = statistics.median(write_cpu) * 1000
    print(
        f"guidance pdf cached split (cpu medians, n={len(layout_cpu)}): layout {layout_ms:.0f} ms, "
        f"write {write_ms:.0f} ms"
    )
    print(f"guidance pdf document: {pages} pages, {len(pdf) / 1024:.1f} KB, {guidance.PDF_VARIANT}")
    print(
        f"guidance weasyprint warnings: {len(warnings)}" + (f" ({warnings[0]})" if warnings else "")
    )
    if args.rss:
        before = rss_mb()
        for _ in range(args.rss):
            guidance.render_pdf(assessment, args.lang, rulebase=rulebase)
        after = rss_mb()
        print(
            f"guidance pdf memory over {args.rss} cached renders: RSS {before:.0f} MB -> "
            f"{after:.0f} MB ({(after - before) / args.rss * 1024:.0f} KB per render)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
